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
