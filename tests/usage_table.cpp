// One accounting pass over an engine state (UsageTable, engine/mm/accounting.h): it tallies
// each PTE block that page tables share after a fork once, and must equal the per-task
// accounting (Engine::usage, Engine::region_usage) field by field, Pss bit for bit. The
// expected Pss values are sums of 1/mapcount worked out by hand (docs/kernel-rules.md:
// Pss divides each page by the number of PTEs that map it).
#include "engine_helpers.h"

using namespace cowtest;

namespace {

void check_equal(const Usage& a, const Usage& b) {
  CHECK(a.pages == b.pages);
  CHECK(a.rss == b.rss);
  CHECK(a.uss == b.uss);
  CHECK(a.pss == b.pss);  // exactly: both sum the same counts per mapcount
  CHECK(a.shared_clean == b.shared_clean);
  CHECK(a.shared_dirty == b.shared_dirty);
  CHECK(a.private_clean == b.private_clean);
  CHECK(a.private_dirty == b.private_dirty);
  CHECK(a.anon == b.anon);
  CHECK(a.file == b.file);
  CHECK(a.shmem == b.shmem);
  CHECK(a.ptes == b.ptes);
  CHECK(a.zero_ptes == b.zero_ptes);
  CHECK(a.anon_huge == b.anon_huge);
  CHECK(a.vm_pte == b.vm_pte);
}

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

TEST_CASE("one pass over shared PTE blocks equals per-task accounting", "[usage_table]") {
  Lab lab;
  FileId f = lab.file("f", 600);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 1500);  // three PTE blocks, the last one partly
  lab.map_file(p1, "F", f, Share::Private);
  lab.write(p1, "A");
  lab.read(p1, "F", pg(0, 599));
  lab.read(p1, "A", pg(0));
  // Three VMAs inside the first block: each covers its own range of the same shared block,
  // with its own protection (a tally keyed by the block alone would reuse the first).
  lab.mprotect(p1, "A", Prot::ReadOnly, pg(100, 199));
  lab.thread(p1, "T1");
  std::vector<ProcId> kids;
  for (int i = 0; i < 12; ++i) kids.push_back(lab.fork(p1, "C" + std::to_string(i)));
  for (int i = 0; i < 12; ++i) lab.write(kids[i], "A", pg(600 + 50 * i, 600 + 50 * i + 9));
  lab.write(kids[3], "F", pg(10, 20));
  lab.exit(kids[5]);
  lab.munmap(kids[7], "A", pg(1000, 1100));
  check_table(lab.e, {"A", "F", "nowhere"});
  CHECK(UsageTable(lab.e).process(kids[5]).rss == 0);  // exited
  CHECK(UsageTable(lab.e).process(ProcId(9999)).rss == 0);
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
