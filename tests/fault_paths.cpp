// Fault events say why: for each fault case, the Linux handlers in call order, the reason
// with the numbers it rests on, the PTE before and after and the frame's mapcount before
// and after (engine/mm/events.h). Which handler Linux runs for which case is in
// docs/kernel-rules.md ("A write-protected private page is reused or copied", "Reads of
// never-written private memory map the zero page", "Shared mappings are never copied",
// "File mappings and fault-around") and mm/memory.c; every expected value below is
// worked out by hand from those, with frames numbered from 0 in allocation order. A PTE
// a write fault gives an anonymous page of its own is writable, dirty and anon-exclusive
// (pte::make_exclusive; docs/kernel-rules.md "mprotect back to writable").
#include "engine_helpers.h"

#include <vector>

#include "engine/mm/explain.h"

using namespace cowtest;

namespace {

using H = Handler;

std::vector<Event> faults_of(Lab& lab) {
  std::vector<Event> out;
  for (const Event& e : lab.e.take_events())
    if (e.is_page_access()) out.push_back(e);
  return out;
}

// The one page-access event a statement made (REQUIREs that there is exactly one).
Event only_fault(Lab& lab) {
  std::vector<Event> f = faults_of(lab);
  REQUIRE(f.size() == 1);
  return f[0];
}

std::vector<Handler> path_of(const Event& e) {
  std::vector<Handler> out;
  for (uint32_t i = 0; i < e.path.size(); ++i) out.push_back(e.path[i]);
  return out;
}

const std::vector<Handler> kAnonPath = {H::HandlePteFault, H::DoPteMissing, H::DoAnonymousPage};
const std::vector<Handler> kCopyPath = {H::HandlePteFault, H::DoWpPage, H::WpPageCopy};

}  // namespace

TEST_CASE("zero-fill: a write to a never-touched private page takes do_anonymous_page", "[fault_paths]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.e.take_events();
  lab.write(p1, "A", pg(2, 5));
  Event e = only_fault(lab);  // pages 2-5 get frames 0-3: one run
  CHECK(e.kind == EventKind::ZeroFill);
  CHECK(path_of(e) == kAnonPath);
  CHECK(e.path.last() == H::DoAnonymousPage);
  CHECK(e.reason == FaultReason::FirstWrite);
  CHECK(e.page == 2);
  CHECK(e.pages == 4);
  CHECK(e.pte_before == 0);                                    // not present
  CHECK(e.pte_after == pte::make_exclusive(0));  // page 2: frame 0
  CHECK(e.mapcount_before == 0);
  CHECK(e.mapcount_after == 1);
  CHECK(reason_text(lab.e, e) == "no page yet (private anonymous), write");
  lab.finish();
}

TEST_CASE("zero page: a read maps it read-only, then a write copies it into a zeroed frame", "[fault_paths]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.e.take_events();
  lab.read(p1, "A", pg(0, 3));
  Event r = only_fault(lab);
  CHECK(r.kind == EventKind::ZeroPageMap);
  CHECK(path_of(r) == kAnonPath);
  CHECK(r.reason == FaultReason::FirstRead);
  CHECK(r.pages == 4);
  CHECK(r.pte_before == 0);
  CHECK(r.pte_after == pte::make(Frames::kZeroPage, Writable::No, Dirty::No));
  CHECK(r.mapcount_before == 0);
  CHECK(r.mapcount_after == 0);  // the zero page is never counted

  lab.write(p1, "A", pg(1));
  Event w = only_fault(lab);
  CHECK(w.kind == EventKind::ZeroFill);
  CHECK(path_of(w) == kCopyPath);  // do_wp_page finds the zero page: wp_page_copy
  CHECK(w.reason == FaultReason::ZeroPage);
  CHECK(w.page == 1);
  CHECK(w.pte_before == pte::make(Frames::kZeroPage, Writable::No, Dirty::No));
  CHECK(w.pte_after == pte::make_exclusive(0));
  CHECK(w.mapcount_before == 0);
  CHECK(w.mapcount_after == 1);
  CHECK(reason_text(lab.e, w) == "zero page");
  CHECK(lab.e.counters().zero_fills == 1);
  CHECK(lab.e.counters().cow_copies == 0);  // a zero-fill, not a copy
  lab.finish();
}

TEST_CASE("COW copy: a write to a page mapped twice takes wp_page_copy", "[fault_paths]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 16);
  lab.write(p1, "A");  // frames 0-15
  ProcId c1 = lab.fork(p1, "C1");
  lab.e.take_events();
  lab.write(c1, "A", pg(4, 7));
  Event e = only_fault(lab);
  CHECK(e.kind == EventKind::CowCopy);
  CHECK(path_of(e) == kCopyPath);
  CHECK(e.reason == FaultReason::AnonShared);
  CHECK(e.proc == c1);
  CHECK(e.page == 4);
  CHECK(e.pages == 4);
  CHECK(e.pte_before == pte::make(4, Writable::No, Dirty::Yes));   // fork write-protected it, dirty kept
  CHECK(e.pte_after == pte::make_exclusive(16));  // the first free frame is 16
  CHECK(e.mapcount_before == 2);
  CHECK(e.mapcount_after == 1);
  CHECK(reason_text(lab.e, e) == "anonymous, mapcount 2");
  lab.finish();
}

TEST_CASE("COW reuse: the last mapper takes wp_page_reuse, no copy", "[fault_paths]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  lab.exit(c1);
  lab.e.take_events();
  lab.write(p1, "A");
  Event e = only_fault(lab);
  CHECK(e.kind == EventKind::CowReuse);
  CHECK(path_of(e) == std::vector<Handler>{H::HandlePteFault, H::DoWpPage, H::WpPageReuse});
  CHECK(e.reason == FaultReason::LastMapper);
  CHECK(e.pages == 8);
  CHECK(e.pte_before == pte::make(0, Writable::No, Dirty::Yes));
  CHECK(e.pte_after == pte::make_exclusive(0));  // the same frame, writable, exclusive again
  CHECK(e.mapcount_before == 1);
  CHECK(e.mapcount_after == 1);
  CHECK(reason_text(lab.e, e) == "last mapper (mapcount 1)");
  lab.finish();
}

TEST_CASE("shared writes: do_shared_fault maps the shmem page, wp_page_shared unprotects a file page",
          "[fault_paths]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 4);
  lab.e.take_events();
  lab.write(p1, "S", pg(0));
  Event e = only_fault(lab);
  CHECK(e.kind == EventKind::SharedWrite);
  CHECK(path_of(e) == std::vector<Handler>{H::HandlePteFault, H::DoPteMissing, H::DoFault, H::DoSharedFault});
  CHECK(e.reason == FaultReason::ShmemNewPage);  // first touch allocates the shmem page
  CHECK(e.pte_before == 0);
  CHECK(e.pte_after == pte::make(0, Writable::Yes, Dirty::Yes));
  CHECK(e.mapcount_after == 1);

  // A file page read through a shared mapping is mapped read-only (writenotify); the
  // write then faults on a present PTE and makes it writable in place.
  FileId f = lab.file("data", 4);  // frames 1-4
  lab.map_file(p1, "D", f, Share::Shared);
  lab.read(p1, "D", pg(0));
  lab.e.take_events();
  lab.write(p1, "D", pg(2));
  Event w = only_fault(lab);
  CHECK(w.kind == EventKind::SharedWrite);
  CHECK(path_of(w) == std::vector<Handler>{H::HandlePteFault, H::DoWpPage, H::WpPageShared});
  CHECK(w.reason == FaultReason::SharedWriteProtected);
  CHECK(w.pte_before == pte::make(3, Writable::No, Dirty::No));
  CHECK(w.pte_after == pte::make(3, Writable::Yes, Dirty::Yes));
  CHECK(w.mapcount_before == 1);
  CHECK(w.mapcount_after == 1);
  lab.finish();
}

TEST_CASE("file-private COW: do_cow_fault for a page not mapped yet, wp_page_copy for a read one",
          "[fault_paths]") {
  Lab lab;
  FileId f = lab.file("data", 32);  // page cache: frames 0-31
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "D", f, Share::Private);
  lab.e.take_events();
  lab.write(p1, "D", pg(20));
  Event e = only_fault(lab);
  CHECK(e.kind == EventKind::FileCopy);
  CHECK(path_of(e) == std::vector<Handler>{H::HandlePteFault, H::DoPteMissing, H::DoFault, H::DoCowFault});
  CHECK(e.reason == FaultReason::PageCache);
  CHECK(e.frame == 20);  // the page-cache page copied from
  CHECK(e.pte_before == 0);
  CHECK(e.pte_after == pte::make_exclusive(32));
  CHECK(e.mapcount_before == 0);
  CHECK(e.mapcount_after == 1);
  CHECK(reason_text(lab.e, e) == "page-cache page, private mapping");

  lab.read(p1, "D", pg(0));  // fault-around maps pages 0-15 read-only
  lab.e.take_events();
  lab.write(p1, "D", pg(3));
  Event w = only_fault(lab);
  CHECK(w.kind == EventKind::FileCopy);
  CHECK(path_of(w) == kCopyPath);
  CHECK(w.pte_before == pte::make(3, Writable::No, Dirty::No));
  CHECK(w.pte_after == pte::make_exclusive(33));
  CHECK(w.mapcount_before == 1);
  CHECK(reason_text(lab.e, w) == "page-cache page, mapcount 1");
  lab.finish();
}

TEST_CASE("shmem read: do_read_fault allocates the page, clean, and maps it with fault-around",
          "[fault_paths]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 8);
  lab.e.take_events();
  lab.read(p1, "S", pg(5));
  Event e = only_fault(lab);
  CHECK(e.kind == EventKind::FileMap);
  CHECK(path_of(e) == std::vector<Handler>{H::HandlePteFault, H::DoPteMissing, H::DoFault, H::DoReadFault});
  CHECK(e.reason == FaultReason::ShmemNewPage);
  CHECK(e.page == 5);
  CHECK(e.count == 1);  // the window 0-7 holds no other allocated shmem page
  CHECK(e.pte_after == pte::make(0, Writable::Yes, Dirty::No));  // shared shmem: writable at once
  CHECK(e.mapcount_after == 1);
  CHECK(reason_text(lab.e, e) == "shmem page, first touch");
  lab.finish();
}

TEST_CASE("fault-around: one read fault maps the aligned 16-page window inside the VMA", "[fault_paths]") {
  Lab lab;
  FileId f = lab.file("data", 40);  // frames 0-39
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "D", f, Share::Private);
  lab.read(p1, "D", pg(35));  // window 32-39: the file ends at 40
  lab.e.take_events();
  lab.read(p1, "D", pg(21));  // window 16-31
  Event e = only_fault(lab);
  CHECK(e.kind == EventKind::FileMap);
  CHECK(e.reason == FaultReason::CachedPage);
  CHECK(e.page == 21);
  CHECK(e.page - e.around_before == 16);
  CHECK(e.around_pages == 16);
  CHECK(e.count == 16);
  CHECK(e.pte_after == pte::make(21, Writable::No, Dirty::No));
  CHECK(e.mapcount_after == 1);
  CHECK(explain(lab.e, e).find(": page-cache page: mapped 16 pages (fault-around 16-31); ") != std::string::npos);

  // The pages the window mapped need no fault: the reads are one run of ReadSees.
  lab.read(p1, "D", pg(16, 31));
  Event seen = only_fault(lab);
  CHECK(seen.kind == EventKind::ReadSees);
  CHECK(seen.path.size() == 0);
  CHECK(seen.reason == FaultReason::PtePresent);
  CHECK(seen.page == 16);
  CHECK(seen.pages == 16);
  lab.finish();
}

TEST_CASE("runs: a decision that changes, or frames that do not follow, start a new event", "[fault_paths]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A", pg(0, 3));  // frames 0-3
  ProcId c1 = lab.fork(p1, "C1");
  lab.write(p1, "A", pg(2));      // P1 copies page 2 (frame 4); C1 is then the last mapper of frame 2
  lab.e.take_events();
  lab.write(c1, "A", pg(0, 5));
  std::vector<Event> f = faults_of(lab);
  // pages 0-1: copies (mapcount 2) into frames 5-6; page 2: reuse of frame 2; page 3:
  // copy into frame 7; pages 4-5: zero-fill into frames 8-9. Page 3's copy follows page
  // 1's in frames but not in pages, so it is a run of its own.
  REQUIRE(f.size() == 4);
  CHECK((f[0].kind == EventKind::CowCopy && f[0].page == 0 && f[0].pages == 2 && f[0].new_frame() == 5));
  CHECK((f[1].kind == EventKind::CowReuse && f[1].page == 2 && f[1].pages == 1 && f[1].frame == 2));
  CHECK((f[2].kind == EventKind::CowCopy && f[2].page == 3 && f[2].pages == 1 && f[2].new_frame() == 7));
  CHECK((f[3].kind == EventKind::ZeroFill && f[3].page == 4 && f[3].pages == 2 && f[3].new_frame() == 8));
  CHECK(lab.e.counters().cow_copies == 4);  // 1 by P1, 3 by C1: counters stay exact
  lab.finish();
}

TEST_CASE("a run longer than the detail limit is still one event with the exact count", "[fault_paths]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4096);
  lab.e.take_events();
  lab.write(p1, "A");
  Event e = only_fault(lab);  // default event_detail_limit: 256
  CHECK(e.pages == 4096);
  CHECK(lab.e.counters().zero_fills == 4096);
  lab.finish();
}

TEST_CASE("the sentence of a COW copy names the path, the reason and the PTEs", "[fault_paths]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "heap", 64);
  lab.write(p1, "heap");
  ProcId c1 = lab.fork(p1, "C1");
  lab.e.take_events();
  lab.write(c1, "heap", pg(0, 15));
  CHECK(explain(lab.e, only_fault(lab)) ==
        "C1 write heap[0-15]: handle_pte_fault \u2192 do_wp_page \u2192 wp_page_copy: anonymous, mapcount 2: "
        "copied each to a new frame; PTE frames 0-15 read-only dirty \u2192 frames 64-79 writable dirty; "
        "mapcount 2 \u2192 1");
  lab.finish();
}

// The inspector's decision diagram (fault_decisions): the questions Linux's handlers ask,
// answered from the event (mm/memory.c: handle_pte_fault asks pte_present, then the
// write flag; do_wp_page asks VM_SHARED, then wp_can_reuse_anon_folio).
TEST_CASE("fault decisions: present, write, private, reusable as the handlers asked them", "[fault_paths]") {
  using A = Answer;
  auto answers = [](const FaultDecisions& d) {
    return std::vector<A>{d.present, d.write, d.private_mapping, d.reusable};
  };
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.e.take_events();
  lab.read(p1, "A", pg(0));  // not present, read: the zero page; nothing else asked
  CHECK(answers(fault_decisions(lab.e, only_fault(lab))) == std::vector<A>{A::No, A::No, A::NotAsked, A::NotAsked});
  lab.write(p1, "A", pg(1));  // not present, write, private: do_anonymous_page, no reuse question
  CHECK(answers(fault_decisions(lab.e, only_fault(lab))) == std::vector<A>{A::No, A::Yes, A::Yes, A::NotAsked});
  ProcId c1 = lab.fork(p1, "C1");
  lab.e.take_events();
  lab.write(c1, "A", pg(1));  // present, write, private, mapcount 2: not reusable, wp_page_copy
  Event copy = only_fault(lab);
  REQUIRE(copy.kind == EventKind::CowCopy);
  CHECK(answers(fault_decisions(lab.e, copy)) == std::vector<A>{A::Yes, A::Yes, A::Yes, A::No});
  lab.write(p1, "A", pg(1));  // P1 is now the last mapper of frame 0: reused in place
  Event reuse = only_fault(lab);
  REQUIRE(reuse.kind == EventKind::CowReuse);
  CHECK(answers(fault_decisions(lab.e, reuse)) == std::vector<A>{A::Yes, A::Yes, A::Yes, A::Yes});
  // Not a page access: nothing asked.
  CHECK(answers(fault_decisions(lab.e, Event{.kind = EventKind::Spawn})) ==
        std::vector<A>{A::NotAsked, A::NotAsked, A::NotAsked, A::NotAsked});
  lab.finish();
}

TEST_CASE("story: a COW copy and a reuse told in plain words", "[fault_paths]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "heap", 8);
  lab.write(p1, "heap");  // frames 0-7
  ProcId c1 = lab.fork(p1, "C1");
  lab.e.take_events();
  lab.write(c1, "heap", pg(3));  // frame 3 is mapped twice: copied into frame 8, the first free
  CHECK(story(lab.e, only_fault(lab)) ==
        "C1 wrote heap[3]. Its PTE was present but read-only, in a private mapping: a COW fault. Frame 3 is "
        "anonymous and mapped twice, so it cannot be reused. The kernel took frame 8, copied 4 KiB into it, pointed "
        "C1's PTE at it (writable, dirty) and dropped frame 3's mapcount to 1.");
  lab.write(p1, "heap", pg(3));  // P1 alone maps frame 3 now
  CHECK(story(lab.e, only_fault(lab)) ==
        "P1 wrote heap[3]. Its PTE was present but read-only, in a private mapping: a COW fault. Frame 3 is "
        "anonymous and P1 is its last mapper (mapcount 1), so the kernel reused it: no copy, the PTE became writable "
        "and dirty.");
  lab.finish();
}
