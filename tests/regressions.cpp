// Regression tests, one per bug found by fuzzing, the sanitizers or the limits review
// (docs/robustness.md lists how each was found). Each is named for the bug.
#include <catch2/catch.hpp>

#include <string>

#include "engine/script/session.h"

using cow::script::Session;
using cow::script::state_json;

namespace {

// A script of `n` expect lines (and a show every tenth line) on one small process.
std::string many_expects(int n) {
  std::string s = "spawn P\nP mmap h 8\nP write h\n";
  for (int i = 0; i < n; ++i) s += i % 10 == 0 ? "show\n" : "expect P rss=8\n";
  return s;
}

}  // namespace

// Each checkpoint (every 32 steps) used to copy every expect outcome and show so far:
// memory and time quadratic in the script length; a 1 MiB script of expects took 2.2 GB.
// Checkpoints now keep the lengths; stepping back must still restore exactly.
TEST_CASE("checkpoints restore expects and shows by length not by copy") {
  const std::string text = many_expects(2000);
  Session s;
  REQUIRE(s.load(text));
  s.run_all();
  REQUIRE(!s.stopped());
  REQUIRE(s.expects().size() == 1800);
  REQUIRE(s.shows().size() == 200);
  for (size_t to : {size_t(1000), size_t(67), size_t(3), size_t(1999), size_t(64)}) {
    s.run_to(to);
    Session fresh;
    REQUIRE(fresh.load(text));
    fresh.run_to(to);
    CHECK(s.expects().size() == fresh.expects().size());
    CHECK(s.shows() == fresh.shows());
    CHECK(state_json(s) == state_json(fresh));
  }
  s.run_all();
  CHECK(s.expects().size() == 1800);
  CHECK(!s.expects_failed());
}

// Zero-page PTEs take no RAM, so max_ram_pages did not bound the engine's page tables:
// reading a 64 GiB region, writing one page (so fork copies the PTEs) and forking
// thousands of children asked for 256 GB and aborted with std::bad_alloc. The session
// now stops at max_page_table_entries with an error on the fork line.
TEST_CASE("a fork bomb of zero-page PTEs stops at max_page_table_entries") {
  cow::script::Limits limits;
  limits.max_page_table_entries = uint64_t(1) << 20;  // 4 processes with 1 GiB mapped
  Session s(limits);
  REQUIRE(s.load("ram 1M\nspawn p\np mmap h 1G noreserve\np read h\np write h 0\np fork c[1-10]\n"));
  s.run_all();
  REQUIRE(s.stopped());
  CHECK(s.error()->pos.line == 6);
  CHECK(s.error()->message.find("max_page_table_entries") != std::string::npos);
  CHECK(s.engine().page_table_entries() == 5 * 262144);  // the fifth process went over
  CHECK(s.engine().processes().size() == 5);
  CHECK(s.engine().check_invariants() == "");
}

// With no room for checkpoints beyond the first, stepping back replays from step 0 and
// must still land on exactly the state of a fresh run.
TEST_CASE("stepping back is exact when max_checkpoint_bytes allows no checkpoint") {
  cow::script::Limits limits;
  limits.max_checkpoint_bytes = 1;
  std::string text = "spawn P\nP mmap h 64\nP write h\n";
  for (int i = 0; i < 80; ++i)
    text += "P fork c" + std::to_string(i) + "\nc" + std::to_string(i) + " write h " + std::to_string(i % 64) + "\n";
  Session s(limits);
  REQUIRE(s.load(text));
  s.run_all();
  REQUIRE(!s.stopped());
  for (size_t to : {size_t(100), size_t(33), size_t(150), size_t(0)}) {
    s.run_to(to);
    Session fresh;
    REQUIRE(fresh.load(text));
    fresh.run_to(to);
    CHECK(state_json(s) == state_json(fresh));
  }
}
