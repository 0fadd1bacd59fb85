// Values kept per PTE block from one state to the next (engine/mm/block_cache.h): the
// accounting tallies (UsageCache) and the page map's page bytes (figure::PageBytesCache).
// Whatever order a reader visits states in, and whatever changed between them (a block
// written, or only a frame's mapcount or flags, as when another task exits), the kept
// values must give exactly what a fresh pass over the state gives.
#include <random>

#include "engine/figure/page_states.h"
#include "engine/script/session.h"
#include "engine_helpers.h"
#include "web/embedded_examples.h"

using namespace cowtest;

namespace {

// The state of `e` read through the caches equals the state read afresh.
void check_state(const Engine& e, UsageCache& usage, figure::PageBytesCache& pages) {
  UsageTable kept(e, &usage), fresh(e);
  pages.next_state(e);
  for (ProcId p = 0; p < e.processes().size(); ++p) {
    const Process& task = e.processes()[p];
    INFO("task " << task.name);
    check_equal(kept.process(p), fresh.process(p));
    if (!task.live()) continue;
    const AddressSpace& as = e.address_spaces()[task.mm];
    for (const Mapping& m : as.mappings) check_equal(kept.region(p, m.name), fresh.region(p, m.name));
    figure::MmMap a, b;
    figure::build_mm(a, e, as, &pages);
    figure::build_mm(b, e, as);
    REQUIRE(a.regions.size() == b.regions.size());
    for (size_t r = 0; r < a.regions.size(); ++r) {
      INFO("region " << b.regions[r].name);
      CHECK(a.regions[r].page == b.regions[r].page);
      CHECK(a.regions[r].present == b.regions[r].present);
      REQUIRE(a.regions[r].huge.size() == b.regions[r].huge.size());
      for (size_t h = 0; h < a.regions[r].huge.size(); ++h) {
        CHECK(a.regions[r].huge[h].first_page == b.regions[r].huge[h].first_page);
        CHECK(a.regions[r].huge[h].state == b.regions[r].huge[h].state);
      }
    }
  }
}

}  // namespace

TEST_CASE("a kept tally follows a frame's mapcount when only another task changed", "[block_cache]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 600);
  lab.write(p1, "A");
  lab.fork(p1, "C1");
  ProcId c2 = lab.fork(p1, "C2");
  UsageCache cache;
  // Every page has mapcount 3: Pss 600/3.
  CHECK(UsageTable(lab.e, &cache).process(p1).pss == 200.0);
  // C2 ends; P1's and C1's PTE blocks are the blocks they had (the cache holds them
  // unchanged), but each frame's mapcount dropped to 2.
  lab.exit(c2);
  CHECK(UsageTable(lab.e, &cache).process(p1).pss == 300.0);
  CHECK(UsageTable(lab.e, &cache).process(p1).shared_dirty == 600);
  lab.finish();
}

TEST_CASE("kept tallies and page bytes equal fresh ones at every step of every example, in any order",
          "[block_cache]") {
  using cow::web::kEmbeddedExamples;
  REQUIRE(cow::web::kEmbeddedExampleCount >= 20);
  std::mt19937 rng(8);
  // One pair of caches for all examples: a reader may show another script's states next.
  UsageCache usage;
  figure::PageBytesCache pages;
  for (size_t x = 0; kEmbeddedExamples[x].name; ++x) {
    std::string text(reinterpret_cast<const char*>(kEmbeddedExamples[x].data), kEmbeddedExamples[x].size);
    script::Session s;
    s.load(text);
    REQUIRE(s.step_count() > 0);
    std::vector<size_t> order;
    for (size_t i = 0; i <= s.step_count(); ++i) order.push_back(i);
    for (int i = 0; i < 12; ++i) order.push_back(rng() % (s.step_count() + 1));  // back and forth
    for (size_t at : order) {
      INFO(kEmbeddedExamples[x].name << ", step " << at);
      s.run_to(at);
      check_state(s.engine(), usage, pages);
    }
  }
}
