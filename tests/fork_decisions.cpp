// fork's decision for each VMA, one ForkVma event each (Linux: dup_mmap and
// vma_needs_copy; docs/kernel-rules.md "fork shares, it does not copy", "fork skips VMAs
// a fault can fill again", "madvise: dontfork, wipeonfork, dontneed"): PTEs copied when
// the VMA has an anon_vma, none when it has not, no VMA for dontfork, an empty one for
// wipeonfork; with the PTEs copied and write-protected and the page-table pages the
// child got. Expected values are worked out by hand from those rules.
#include "engine_helpers.h"

#include <vector>

#include "engine/mm/explain.h"

using namespace cowtest;

namespace {

std::vector<Event> fork_vmas(const std::vector<Event>& events) {
  std::vector<Event> out;
  for (const Event& e : events)
    if (e.kind == EventKind::ForkVma) out.push_back(e);
  return out;
}

}  // namespace

TEST_CASE("fork decides per VMA: copy, skip, dontfork, wipeonfork", "[fork_decisions]") {
  Lab lab;
  FileId f = lab.file("data", 4);  // frames 0-3
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);              // written: has an anon_vma
  lab.anon(p1, "R", 8);              // only read: zero-page PTEs, no anon_vma
  lab.shmem(p1, "S", 4);             // shared anonymous, written
  lab.map_file(p1, "F", f, Share::Private, Prot::ReadOnly);  // file private, read
  lab.map_file(p1, "G", f, Share::Shared);                    // file shared, written
  lab.anon(p1, "N", 4);              // written, dontfork
  lab.anon(p1, "W", 4);              // written, wipeonfork
  lab.write(p1, "A");
  lab.read(p1, "R");
  lab.write(p1, "S");
  lab.read(p1, "F");
  lab.write(p1, "G");
  lab.write(p1, "N");
  lab.write(p1, "W");
  lab.madvise(p1, "N", Advice::DontFork);
  lab.madvise(p1, "W", Advice::WipeOnFork);
  lab.e.take_events();

  ProcId c1 = lab.fork(p1, "C1");
  std::vector<Event> events = lab.e.take_events();
  REQUIRE(!events.empty());
  CHECK(events[0].kind == EventKind::Fork);  // the fork first, then each VMA in order
  std::vector<Event> v = fork_vmas(events);
  REQUIRE(v.size() == 7);
  MmId child_mm = lab.e.processes()[c1].mm;
  const char* regions[] = {"A", "R", "S", "F", "G", "N", "W"};
  for (size_t i = 0; i < v.size(); ++i) {
    INFO("VMA " << regions[i]);
    CHECK(v[i].region == lab.e.find_name(regions[i]));
    CHECK(v[i].proc == p1);
    CHECK(v[i].other == c1);
    CHECK(v[i].mm == child_mm);
    CHECK(v[i].page == 0);
  }
  CHECK(v[0].decision == ForkDecision::CopyPtes);
  CHECK(v[0].pages == 8);
  CHECK(v[0].count == 8);            // 8 PTEs copied
  CHECK(v[0].write_protected == 8);  // all were writable
  // The child's first page tables: one PTE table, the PMD table above it (the GiB at
  // 1 TiB) and the PUD table above that (the 512 GiB from 1 TiB).
  CHECK(v[0].tables == PageTableCounts{.pud = 1, .pmd = 1, .pte = 1});
  for (int i : {1, 2, 3, 4}) {
    INFO("VMA " << regions[i]);
    CHECK(v[i].decision == ForkDecision::NoAnonVma);
    CHECK(v[i].count == 0);
    CHECK(v[i].tables == PageTableCounts{});
  }
  CHECK(v[5].decision == ForkDecision::DontFork);
  CHECK(v[6].decision == ForkDecision::WipeOnFork);
  CHECK(v[6].count == 0);

  CHECK(reason_text(lab.e, v[0]) == "has an anon_vma (anonymous pages were faulted into it)");
  CHECK(reason_text(lab.e, v[1]) == "no anon_vma (never written: a fault brings its pages back)");
  CHECK(reason_text(lab.e, v[2]) == "no anon_vma (shared mapping: a fault maps the shared pages again)");
  CHECK(reason_text(lab.e, v[3]) == "no anon_vma (never written: a fault brings its pages back)");
  CHECK(reason_text(lab.e, v[4]) == "no anon_vma (shared mapping: a fault maps the shared pages again)");
  CHECK(explain(lab.e, v[5]) == "P1 fork C1 N[0-3]: dontfork (VM_DONTCOPY): not inherited");
  CHECK(explain(lab.e, v[6]) == "P1 fork C1 W[0-3]: wipeonfork (VM_WIPEONFORK): inherited empty, without anon_vma");

  // What the child holds agrees: only A has PTEs; N is not there; W is there, empty.
  CHECK(lab.r(c1, "A").ptes == 8);
  for (const char* r : {"R", "S", "F", "G", "W"}) {
    INFO("region " << r);
    CHECK(lab.r(c1, r).ptes == 0);
  }
  CHECK(lab.r(c1, "N").pages == 0);
  CHECK(lab.r(c1, "W").pages == 4);
  CHECK(lab.e.page_tables(child_mm) == v[0].tables);
  lab.finish();
}

TEST_CASE("fork: the page tables each VMA adds in the child sum to the child's tables", "[fork_decisions]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 1024);  // 1 TiB: two PTE tables
  lab.anon(p1, "B", 8);     // 1 TiB + 1 GiB: its own PMD table, the same PUD table
  lab.write(p1, "A");
  lab.write(p1, "B");
  lab.madvise(p1, "A", Advice::DontFork, pg(0, 1));  // splits A: [0,2) dontfork, [2,1024) copied
  lab.e.take_events();
  ProcId c1 = lab.fork(p1, "C1");
  std::vector<Event> v = fork_vmas(lab.e.take_events());
  REQUIRE(v.size() == 3);
  CHECK((v[0].decision == ForkDecision::DontFork && v[0].page == 0 && v[0].pages == 2));
  CHECK((v[1].decision == ForkDecision::CopyPtes && v[1].page == 2 && v[1].pages == 1022));
  CHECK(v[1].count == 1022);
  CHECK(v[1].tables == PageTableCounts{.pud = 1, .pmd = 1, .pte = 2});
  CHECK(v[2].tables == PageTableCounts{.pud = 0, .pmd = 1, .pte = 1});
  PageTableCounts sum{.pud = v[1].tables.pud + v[2].tables.pud, .pmd = v[1].tables.pmd + v[2].tables.pmd,
                      .pte = v[1].tables.pte + v[2].tables.pte};
  CHECK(lab.e.page_tables(lab.e.processes()[c1].mm) == sum);
  lab.finish();
}

TEST_CASE("fork of a VMA whose PTEs are already write-protected protects none anew", "[fork_decisions]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.write(p1, "A");
  lab.fork(p1, "C1");  // write-protects all 4 in P1
  lab.e.take_events();
  lab.fork(p1, "C2");
  std::vector<Event> v = fork_vmas(lab.e.take_events());
  REQUIRE(v.size() == 1);
  CHECK(v[0].count == 4);
  CHECK(v[0].write_protected == 0);
  CHECK(explain(lab.e, v[0]) ==
        "P1 fork C2 A[0-3]: has an anon_vma (anonymous pages were faulted into it): copied 4 PTEs; "
        "child page tables +1 PUD +1 PMD +1 PTE");
  lab.finish();
}

TEST_CASE("the event lines of a one-page fork say 1 PTE, in the singular", "[fork_decisions]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 1);
  lab.write(p1, "A");
  lab.e.take_events();
  lab.fork(p1, "C1");
  std::string lines;
  for (const Event& e : lab.e.take_events()) lines += lab.e.describe(e) + "\n";
  INFO(lines);
  CHECK(lines.find("write-protected 1 PTE\n") != std::string::npos);
  CHECK(lines.find("1 PTEs") == std::string::npos);
  lab.finish();
}
