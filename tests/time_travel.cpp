// Time travel: Session::run_to moves to any step, back and forth, and the state there is
// exactly the state of a fresh run to that step (state_json byte for byte), across the
// checkpoints the session keeps (spaced by the work done between them).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/script/session.h"

using cow::script::Session;
using cow::script::state_json;

namespace {

// A script of well over 64 steps mixing forks, COW writes, reuses, exits and expects.
std::string long_script() {
  std::string s = "ram 4096\nfile data 32\nspawn P1\nP1 mmap heap 64\nP1 write heap\nP1 mmap cfg data\nP1 read cfg 3\n";
  for (int i = 1; i <= 12; ++i) {
    std::string c = "C" + std::to_string(i);
    s += "P1 fork " + c + "\n";
    s += c + " write heap " + std::to_string(i * 4) + "-" + std::to_string(i * 4 + 3) + "\n";
    s += "show\n";
    s += c + " read cfg " + std::to_string(16 + i) + "\n";
    s += "expect " + c + " heap rss=64\n";  // every page of heap stays mapped
    if (i % 3 == 0) s += c + " exit\n";
    s += "P1 write heap " + std::to_string(i) + "\n";
  }
  return s;
}

std::string fresh_json(const std::string& text, size_t step) {
  Session f;
  REQUIRE(f.load(text));
  f.run_to(step);
  return state_json(f);
}

}  // namespace

TEST_CASE("run_to back and forth equals a fresh run to that step", "[time_travel]") {
  std::string text = long_script();
  Session s;
  REQUIRE(s.load(text));
  REQUIRE(s.step_count() > 80);
  const size_t n = s.step_count();
  std::vector<std::string> fresh(n + 1);
  for (size_t k = 0; k <= n; ++k) fresh[k] = fresh_json(text, k);

  s.run_all();
  REQUIRE(s.at_end());
  REQUIRE_FALSE(s.stopped());
  CHECK_FALSE(s.expects_failed());
  CHECK(state_json(s) == fresh[n]);

  const size_t path[] = {10, 5, 0, n, 33, 32, 31, 64, 63, 65, 1, n - 1, 40, 96 < n ? 96 : n, 2, n};
  for (size_t k : path) {
    s.run_to(k);
    INFO("step " << k);
    CHECK(s.position() == k);
    CHECK(s.history().size() == k);
    CHECK(state_json(s) == fresh[k]);
    CHECK(s.engine().check_invariants() == "");
  }
}

TEST_CASE("every step backwards from the end matches a fresh run", "[time_travel]") {
  std::string text = long_script();
  Session s;
  REQUIRE(s.load(text));
  s.run_all();
  for (size_t k = s.step_count(); k-- > 0;) {
    s.run_to(k);
    INFO("step " << k);
    REQUIRE(state_json(s) == fresh_json(text, k));
  }
}

TEST_CASE("time travel keeps expects, shows and events of the steps run", "[time_travel]") {
  const std::string text =
      "spawn P1\nP1 mmap heap 64\nP1 write heap\nP1 fork C1\nshow\nC1 write heap 0-15\n"
      "expect C1 rss=64 pss=40 shared=48 private=16\nexpect frames_mapped=80 cow_copies=16\n";
  Session s;
  REQUIRE(s.load(text));
  s.run_all();
  REQUIRE(s.expects().size() == 6);
  s.run_to(4);
  CHECK(s.expects().empty());
  CHECK(s.shows().empty());
  s.run_to(6);
  CHECK(s.shows() == std::vector<int>{5});
  REQUIRE(s.history().size() == 6);
  CHECK(s.history()[5].line == 6);
  REQUIRE(s.history()[5].events.size() == 1);  // one CowCopy event covers the run of 16 pages
  CHECK(s.history()[5].events[0].kind == cow::EventKind::CowCopy);
  CHECK(s.history()[5].events[0].pages == 16);
  s.run_to(8);
  CHECK(s.expects().size() == 6);
  CHECK_FALSE(s.expects_failed());
}

TEST_CASE("time travel around a runtime error", "[time_travel]") {
  const std::string text = "spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\nC2 write heap\nC1 exit\n";
  Session s;
  REQUIRE(s.load(text));
  s.run_all();
  REQUIRE(s.stopped());
  CHECK(s.error()->pos.line == 5);
  std::string at_error = state_json(s);
  s.run_to(2);
  CHECK_FALSE(s.stopped());
  CHECK(state_json(s) == fresh_json(text, 2));
  s.run_all();
  CHECK(s.stopped());
  CHECK(state_json(s) == at_error);
}

TEST_CASE("checkpoint_at_or_before names the checkpoints the session kept", "[time_travel]") {
  std::string text = long_script();
  Session s;
  REQUIRE(s.load(text));
  CHECK(s.checkpoint_at_or_before(70) == 0);  // nothing run yet: only the start
  s.run_all();
  REQUIRE(s.step_count() > 70);
  CHECK(s.checkpoint_at_or_before(0) == 0);
  // Where checkpoints fall depends on the work between them; each is at or before the
  // step asked for, and a later step never gets an earlier one.
  size_t last = 0;
  for (size_t n = 0; n <= s.step_count(); ++n) {
    size_t c = s.checkpoint_at_or_before(n);
    CHECK(c <= n);
    CHECK(c >= last);
    last = c;
  }
  size_t c40 = s.checkpoint_at_or_before(40);
  CHECK(c40 > 0);  // 30-odd statements of forks and faults are worth a copy of this engine
  s.run_to(c40);   // back to a checkpoint: exactly that state
  CHECK(s.position() == c40);
  CHECK(state_json(s) == fresh_json(text, c40));
  CHECK(s.checkpoint_at_or_before(70) == c40);  // checkpoints past the position are gone

  // No room for engine copies: only the start remains, whatever the step.
  cow::script::Limits tight;
  tight.max_checkpoint_bytes = 0;
  Session bare(tight);
  REQUIRE(bare.load(text));
  bare.run_all();
  CHECK(bare.checkpoint_at_or_before(64) == 0);
  bare.run_to(bare.checkpoint_at_or_before(64));
  CHECK(bare.position() == 0);
}
