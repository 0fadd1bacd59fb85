// Session::reload: an edited script keeps the work done for the statements before the
// first changed one, and the state it reaches is exactly that of a fresh run (state_json
// byte for byte), for random edits of every example at random positions.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "engine/script/lines.h"
#include "engine/script/session.h"
#include "web/embedded_examples.h"

using cow::script::Session;
using cow::script::state_json;

namespace {

// A master with a heap forks 8 workers in one statement; each then writes its own page.
const std::string kWorkers =
    "ram 64M\nspawn master\nmaster mmap heap 4096\nmaster write heap\nmaster fork w[1-8]\n"
    "w1 write heap 0\nw2 write heap 1\nw3 write heap 2\nw4 write heap 3\n";

std::string fresh_json(const std::string& text, size_t step) {
  Session f;
  f.load(text);
  f.run_to(step);
  return state_json(f);
}

// The session after a reload and run_to(step) is the session of a fresh run.
void same_as_fresh(const Session& s, const std::string& text) {
  Session f;
  f.load(text);
  f.run_to(s.position());
  REQUIRE(state_json(s) == state_json(f));
  REQUIRE(s.history().size() == f.history().size());
  REQUIRE(s.expects().size() == f.expects().size());
  REQUIRE(s.shows() == f.shows());
  REQUIRE(s.stopped() == f.stopped());
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

// One random edit of `lines`: insert a line (one of the example's own, or a bad one),
// delete one, or retype one (another of its lines, or its text with a digit changed).
void edit(std::vector<std::string>& lines, const std::vector<std::string>& pool, std::mt19937& rng) {
  auto pick = [&](size_t n) { return size_t(rng() % std::max<size_t>(n, 1)); };
  std::string line = pool[pick(pool.size())];
  switch (rng() % 4) {
    case 0: lines.insert(lines.begin() + pick(lines.size() + 1), line); break;
    case 1: if (!lines.empty()) lines.erase(lines.begin() + pick(lines.size())); break;
    case 2: if (!lines.empty()) lines[pick(lines.size())] = line; break;
    default:
      if (lines.empty()) break;
      std::string& l = lines[pick(lines.size())];
      for (char& c : l)
        if (c >= '1' && c <= '9') {
          c = char('1' + rng() % 9);
          break;
        }
      if (rng() % 8 == 0) l += " +";  // a syntax error now and then
  }
}

}  // namespace

TEST_CASE("retyping the last line re-runs only the last statement") {
  Session s;
  REQUIRE(s.reload(kWorkers));
  s.run_all();
  REQUIRE(s.position() == 9);
  uint64_t before = s.statements_run();
  std::string text = kWorkers.substr(0, kWorkers.size() - std::string("w4 write heap 3\n").size()) + "w4 write heap 7\n";
  REQUIRE(s.reload(text));
  CHECK(s.position() == 8);  // the state before the last statement was kept
  s.run_all();
  CHECK(s.statements_run() - before == 1);
  same_as_fresh(s, text);
}

TEST_CASE("a line added at the end runs that line alone") {
  Session s;
  REQUIRE(s.reload(kWorkers));
  s.run_all();
  uint64_t before = s.statements_run();
  std::string text = kWorkers + "w5 write heap 4\nexpect cow_copies=5\n";
  REQUIRE(s.reload(text));
  CHECK(s.position() == 9);
  s.run_all();
  CHECK(s.statements_run() - before == 2);
  same_as_fresh(s, text);
  CHECK_FALSE(s.expects_failed());
}

TEST_CASE("editing expects at the end keeps the state: they change nothing") {
  Session s;
  std::string text = kWorkers + "expect cow_copies=4\nshow\nexpect frames_used=4100\n";
  REQUIRE(s.reload(text));
  s.run_all();
  REQUIRE(s.expects().size() == 2);
  uint64_t before = s.statements_run();
  std::string edited = kWorkers + "expect cow_copies=3\nshow\nexpect frames_used=4100\n";
  REQUIRE(s.reload(edited));
  CHECK(s.position() == 9);
  CHECK(s.expects().empty());
  CHECK(s.shows().empty());
  s.run_all();
  CHECK(s.statements_run() - before == 3);
  same_as_fresh(s, edited);
  CHECK(s.expects_failed());  // cow_copies is 4
}

TEST_CASE("an edit after the position keeps the state; one before it resumes earlier") {
  Session s;
  REQUIRE(s.reload(kWorkers));
  s.run_to(6);
  uint64_t before = s.statements_run();
  std::string later = kWorkers + "w1 exit\n";
  REQUIRE(s.reload(later));  // nothing that ran changed
  CHECK(s.position() == 6);
  CHECK(s.statements_run() == before);
  s.run_all();
  same_as_fresh(s, later);

  std::string earlier = later;
  earlier.replace(earlier.find("w2 write heap 1"), 15, "w2 write heap 9");
  REQUIRE(s.reload(earlier));
  CHECK(s.position() <= 6);  // statement 7 changed: the state after 6 statements at most
  s.run_all();
  same_as_fresh(s, earlier);
}

TEST_CASE("a changed ram or mode line re-runs from there") {
  Session s;
  REQUIRE(s.reload(kWorkers));
  s.run_all();
  std::string bigger = kWorkers;
  bigger.replace(0, 7, "ram 128M");
  REQUIRE(s.reload(bigger));
  CHECK(s.position() == 0);
  s.run_all();
  same_as_fresh(s, bigger);
  CHECK(s.engine().system().frames_total == 32768);

  std::string copy = "mode fork=copy\n" + bigger;  // a line inserted first: nothing is shared
  REQUIRE(s.reload(copy));
  CHECK(s.position() == 0);
  s.run_all();
  same_as_fresh(s, copy);
  CHECK(s.engine().counters().cow_copies == 0);
}

TEST_CASE("a comment changed between statements keeps the statements after it") {
  Session s;
  std::string text = "# heap\n" + kWorkers;
  REQUIRE(s.reload(text));
  s.run_all();
  uint64_t before = s.statements_run();
  REQUIRE(s.reload("# a heap\n" + kWorkers));
  CHECK(s.position() == 9);
  CHECK(s.statements_run() == before);
}

TEST_CASE("a syntax error shows as load() shows it; fixing it resumes from the run before") {
  Session s;
  REQUIRE(s.reload(kWorkers));
  s.run_all();
  uint64_t before = s.statements_run();
  CHECK_FALSE(s.reload(kWorkers + "w5 wri\n"));
  REQUIRE(s.error());
  CHECK(s.error()->pos.line == 10);
  CHECK(s.step_count() == 0);
  CHECK(s.position() == 0);
  CHECK(s.engine().processes().empty());
  CHECK_FALSE(s.reload(kWorkers + "w5 writ\n"));
  std::string fixed = kWorkers + "w5 write heap 4\n";
  REQUIRE(s.reload(fixed));
  CHECK(s.position() == 9);
  s.run_all();
  CHECK(s.statements_run() - before == 1);
  same_as_fresh(s, fixed);
}

TEST_CASE("a reload after load() showed a syntax error starts afresh") {
  Session s;
  CHECK_FALSE(s.load("spawn P\nP wri\n"));
  REQUIRE(s.stopped());
  REQUIRE(s.reload(kWorkers));
  CHECK_FALSE(s.stopped());
  CHECK(s.position() == 0);
  s.run_all();
  same_as_fresh(s, kWorkers);
  CHECK(s.position() == 9);
}

TEST_CASE("a runtime error is kept when it is before the edit and goes when its line is fixed") {
  Session s;
  std::string bad = kWorkers + "w9 write heap 5\nw1 exit\n";
  REQUIRE(s.reload(bad));
  s.run_all();
  REQUIRE(s.error());
  CHECK(s.error()->pos.line == 10);
  std::string more = bad + "w2 exit\n";
  REQUIRE(s.reload(more));
  CHECK(s.stopped());  // the error stands: the statement that failed did not change
  s.run_all();
  same_as_fresh(s, more);
  std::string fixed = more;
  fixed.replace(fixed.find("w9"), 2, "w8");
  REQUIRE(s.reload(fixed));
  CHECK_FALSE(s.stopped());
  s.run_all();
  same_as_fresh(s, fixed);
  CHECK_FALSE(s.error());
}

TEST_CASE("a heavy statement gets a checkpoint after it, even among few statements") {
  Session s;
  REQUIRE(s.load(kWorkers));
  s.run_all();
  // `master fork w[1-8]` copied 8 x 4096 PTEs: far more work than a copy of the engine
  // before it, so moving back to it restores a checkpoint there instead of replaying.
  CHECK(s.checkpoint_at_or_before(5) >= 4);
  uint64_t before = s.statements_run();
  s.run_to(5);
  CHECK(s.statements_run() - before <= 1);
  CHECK(state_json(s) == fresh_json(kWorkers, 5));
}

TEST_CASE("random edits of every example equal fresh runs") {
  using cow::web::kEmbeddedExamples;
  REQUIRE(cow::web::kEmbeddedExampleCount >= 20);
  std::mt19937 rng(17);
  for (size_t e = 0; kEmbeddedExamples[e].name; ++e) {
    std::string text(reinterpret_cast<const char*>(kEmbeddedExamples[e].data), kEmbeddedExamples[e].size);
    std::vector<std::string> pool;
    for (std::string_view l : cow::script::split_lines(text)) pool.emplace_back(l);
    std::vector<std::string> lines = pool;
    Session s;
    s.reload(text);
    s.run_all();
    for (int round = 0; round < 40; ++round) {
      INFO(kEmbeddedExamples[e].name << ", edit " << round);
      edit(lines, pool, rng);
      std::string edited = join(lines);
      bool parsed = s.reload(edited);
      INFO(edited);
      if (!parsed) {
        CHECK(s.step_count() == 0);
        continue;
      }
      // Sometimes to the end (live mode), sometimes to a step before or after the edit.
      size_t target = rng() % 3 ? s.step_count() : rng() % (s.step_count() + 1);
      s.run_to(target);
      same_as_fresh(s, edited);
    }
  }
}
