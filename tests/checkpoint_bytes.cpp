// What a session checkpoint really holds: PTE blocks are shared copy on write between
// page tables and between engine copies (PteArray), so a copy adds only the blocks the
// copy before it lacks, each once, plus the frame table (Engine::copy_bytes).
#include "engine_helpers.h"
#include "engine/script/session.h"

using namespace cowtest;

TEST_CASE("a copy adds only the PTE blocks the earlier copy lacks, each once", "[checkpoints]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 16384);  // 32 blocks of 512 PTEs, 2 KiB each
  lab.write(p1, "A");
  const uint64_t table = lab.e.frames().memory_bytes(), blocks = 32 * 512 * sizeof(Pte);
  CHECK(lab.e.copy_bytes(nullptr) == blocks + table);
  Engine earlier = lab.e;
  CHECK(lab.e.copy_bytes(&earlier) == table);  // nothing changed since: the table alone
  for (int i = 1; i <= 4; ++i) lab.fork(p1, "C" + std::to_string(i));
  // The first fork write-protected P1's blocks (new blocks, since `earlier` holds the old
  // ones); the four children share them. Counting every page table's PTEs would say
  // five times as many.
  REQUIRE(lab.e.page_table_entries() == 5 * 16384);
  CHECK(lab.e.copy_bytes(&earlier) == blocks + lab.e.frames().memory_bytes());
  lab.finish();
}

TEST_CASE("checkpoints are sized by what they add, so more fit the budget", "[checkpoints]") {
  // After `P1 fork C[1-8]` nine page tables share P1's 32 blocks: the copy adds 64 KiB of
  // PTEs plus the 130 KiB frame table (16384 frames), under the 400 kB budget. Sized as
  // every page table's PTEs (9 x 64 KiB) plus the table it would not fit, and the session
  // would keep no checkpoint after the fork.
  cow::script::Session s(cow::script::Limits{.max_checkpoint_bytes = 400000});
  REQUIRE(s.load("ram 16384\nspawn P1\nP1 mmap heap 16384\nP1 write heap\nP1 fork C[1-8]\n"));
  s.run_all();
  REQUIRE_FALSE(s.stopped());
  CHECK(s.checkpoint_at_or_before(4) == 0);  // the write did less work than a copy costs
  CHECK(s.checkpoint_at_or_before(5) == 5);
}
