// One accounting pass over an engine state (UsageTable, engine/mm/accounting.h): it tallies
// each PTE block that page tables share after a fork once, and must equal the per-task
// accounting (Engine::usage, Engine::region_usage) field by field, Pss bit for bit; the
// page map's bytes and cells (engine/figure/page_states.h) reuse shared blocks the same
// way and must equal those built page by page. The
// expected Pss values are sums of 1/mapcount worked out by hand (docs/kernel-rules.md:
// Pss divides each page by the number of PTEs that map it).
#include "engine/figure/page_states.h"
#include "engine_helpers.h"

using namespace cowtest;

namespace {

void check_table(const Engine& e, std::initializer_list<std::string_view> regions) {
  UsageTable t(e);
  for (ProcId p = 0; p < e.processes().size(); ++p) {
    INFO("task " << e.processes()[p].name);
    check_equal(t.process(p), e.usage(p));
    for (std::string_view r : regions) {
      INFO("region " << r);
      check_equal(t.region(p, e.find_name(r)), e.region_usage(p, e.find_name(r)));
    }
  }
}

}  // namespace

// P1 with a heap over three PTE blocks and a file, a thread, and 12 children that share
// P1's blocks and write 10 pages each. MADV_DONTFORK only sets a VMA flag: C0 then reads
// the first block, still shared with every task, through three VMAs (a reuse keyed by
// the block alone would take the whole block three times for C0).
std::vector<ProcId> forked_scene(Lab& lab) {
  FileId f = lab.file("f", 600);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 1500);  // three PTE blocks, the last one partly
  lab.map_file(p1, "F", f, Share::Private);
  lab.write(p1, "A");
  lab.read(p1, "F", pg(0, 599));
  lab.thread(p1, "T1");
  std::vector<ProcId> kids{p1};
  for (int i = 0; i < 12; ++i) kids.push_back(lab.fork(p1, "C" + std::to_string(i)));
  for (int i = 1; i <= 12; ++i) lab.write(kids[i], "A", pg(550 + 50 * i, 550 + 50 * i + 9));
  lab.madvise(kids[1], "A", Advice::DontFork, pg(100, 199));
  REQUIRE(lab.e.address_spaces()[lab.e.processes()[kids[1]].mm].vmas.size() == 4);
  lab.write(kids[4], "F", pg(10, 20));
  lab.exit(kids[6]);
  lab.munmap(kids[8], "A", pg(1000, 1100));
  return kids;
}

TEST_CASE("one pass over shared PTE blocks equals per-task accounting", "[usage_table]") {
  Lab lab;
  std::vector<ProcId> tasks = forked_scene(lab);
  check_table(lab.e, {"A", "F", "nowhere"});
  CHECK(UsageTable(lab.e).process(tasks[6]).rss == 0);  // exited
  CHECK(UsageTable(lab.e).process(ProcId(9999)).rss == 0);
  lab.finish();
}

TEST_CASE("page-map bytes of shared PTE blocks, built once, equal those read page by page", "[usage_table]") {
  Lab lab;
  forked_scene(lab);
  const auto& mms = lab.e.address_spaces();
  std::vector<figure::MmMap> alone(mms.size()), shared(mms.size());
  figure::PageBytesCache once;
  once.next_state(lab.e);
  for (const Process& t : lab.e.processes()) {
    if (!t.live() || alone[t.mm].built) continue;
    figure::build_mm(alone[t.mm], lab.e, mms[t.mm]);
    figure::build_mm(shared[t.mm], lab.e, mms[t.mm], &once);
  }
  CHECK(once.spans.size() > 0);
  for (size_t mm = 0; mm < mms.size(); ++mm) {
    REQUIRE(alone[mm].regions.size() == shared[mm].regions.size());
    for (size_t r = 0; r < alone[mm].regions.size(); ++r) {
      INFO("mm " << mm << ", region " << alone[mm].regions[r].name);
      CHECK(alone[mm].regions[r].page == shared[mm].regions[r].page);
      CHECK(alone[mm].regions[r].present == shared[mm].regions[r].present);
      figure::aggregate_region(alone[mm].regions[r], 64);
      const auto* before = mm > 0 && r < shared[mm - 1].regions.size() ? &shared[mm - 1].regions[r] : nullptr;
      figure::aggregate_region(shared[mm].regions[r], 64, before);  // copies its equal runs
      CHECK(alone[mm].regions[r].cells == shared[mm].regions[r].cells);
    }
  }
  lab.finish();
}

TEST_CASE("Pss is summed per mapcount: n pages of mapcount m add exactly n/m", "[usage_table]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 70);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  lab.fork(p1, "C2");
  lab.write(c1, "A", pg(60, 69));
  // C1: 60 pages of mapcount 3, then 10 private ones. Adding 1/3 sixty times in page
  // order gives 19.999999999999996 (and 29.99999999999996 with the 10); counted per
  // mapcount, it is 10 + 60/3, exactly 30.
  CHECK(lab.u(c1).pss == 30.0);
  CHECK(UsageTable(lab.e).process(c1).pss == 30.0);
  CHECK(lab.u(p1).pss == 25.0);  // 60/3 + 10/2: P1 and C2 still share pages 60-69
  lab.finish();
}
