// Session::evaluate (engine/script/session.h): an `expect` parsed from another text (an
// instructor's file) judged against a session's state without stopping it, and the
// structured outcome every expect now carries (scope, names, expected and actual).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/script/json.h"
#include "engine/script/metrics.h"
#include "engine/script/parser.h"
#include "engine/script/session.h"

using namespace cow::script;

namespace {

// After the fork the 8 written pages are shared by P1 and C1: rss 8, pss 4 each.
const char* kForked = "spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\n";

Session ran(const char* text) {
  Session s;
  REQUIRE(s.load(text));
  s.run_all();
  REQUIRE(!s.error());
  return s;
}

// Every outcome of every statement of `expects`, evaluated on `s`.
std::vector<ExpectOutcome> grade(const Session& s, const char* expects) {
  ParseResult p = parse(expects);
  REQUIRE(!p.error);
  std::vector<ExpectOutcome> all;
  for (const Statement& st : p.script.statements) {
    std::vector<ExpectOutcome> xs = s.evaluate(st);
    all.insert(all.end(), xs.begin(), xs.end());
  }
  return all;
}

}  // namespace

TEST_CASE("evaluate judges an expect against the state now, with its scope and values", "[evaluate]") {
  Session s = ran(kForked);
  std::vector<ExpectOutcome> x = grade(s, "expect C1 rss=8 pss=8\nexpect C1 heap private_dirty=0\nexpect cow_copies=0\n");
  REQUIRE(x.size() == 4);
  CHECK(x[0].ok);
  CHECK(x[0].line == 1);
  CHECK(x[0].col == 11);
  CHECK(x[0].scope == MetricScope::Process);
  CHECK(x[0].process == "C1");
  CHECK(x[0].region.empty());
  CHECK(x[0].metric == "rss");
  CHECK(x[0].expected == "8");
  CHECK(x[0].actual == "8");
  CHECK(!x[1].ok);
  CHECK(x[1].expected == "8.0000");
  CHECK(x[1].actual == "4.0000");
  CHECK(x[1].message == "C1 pss: expected 8, got 4.0000");
  CHECK(x[2].scope == MetricScope::Region);
  CHECK(x[2].region == "heap");
  CHECK(x[2].ok);
  CHECK(x[3].scope == MetricScope::System);
  CHECK(x[3].process.empty());
  CHECK(x[3].ok);
  // Evaluating records nothing and changes nothing.
  CHECK(s.expects().empty());
  CHECK(!s.error());
}

TEST_CASE("evaluate fails a check on a missing process or region instead of stopping", "[evaluate]") {
  Session s = ran(kForked);
  std::vector<ExpectOutcome> x = grade(s, "expect C9 rss=8 pss=4\nexpect C1 stack rss=0\nexpect w[1-2] state=running\n");
  REQUIRE(x.size() == 5);  // each check of each named process gets its outcome
  CHECK(!x[0].ok);
  CHECK(x[0].message == "C9 rss: unknown process 'C9' (did you mean 'C1'?)");
  CHECK(x[0].actual.empty());
  CHECK(x[1].metric == "pss");
  CHECK(!x[1].ok);
  CHECK(x[2].message == "C1 stack rss: unknown region 'stack' (no process has mapped it)");
  CHECK(x[3].process == "w1");
  CHECK(x[4].process == "w2");
  CHECK(!x[4].ok);
  CHECK(!s.error());
}

TEST_CASE("a script's own expect on a missing process still stops the script", "[evaluate]") {
  Session s;
  REQUIRE(s.load("spawn P1\nexpect P1 rss=0\nexpect C9 rss=0\nP1 mmap heap 8\n"));
  s.run_all();
  REQUIRE(s.error());
  CHECK(s.error()->pos.line == 3);
  CHECK(s.error()->pos.col == 8);
  CHECK(s.error()->message == "unknown process 'C9'");
  REQUIRE(s.expects().size() == 1);
  CHECK(s.expects()[0].ok);
  CHECK(s.position() == 3);
}

TEST_CASE("state expects carry the state as text", "[evaluate]") {
  Session s = ran("spawn P1\nP1 fork C1\nC1 exit\nexpect C1 state=exited\n");
  REQUIRE(s.expects().size() == 1);
  CHECK(s.expects()[0].ok);
  CHECK(s.expects()[0].expected == "exited");
  CHECK(s.expects()[0].actual == "exited");
  std::vector<ExpectOutcome> x = grade(s, "expect P1 state=exited\n");
  REQUIRE(x.size() == 1);
  CHECK(!x[0].ok);
  CHECK(x[0].actual == "running");
  CHECK(x[0].message == "P1 state: expected exited, got running");
}

TEST_CASE("JsonWriter puts the commas in and escapes through append_json_string", "[json_strings]") {
  JsonWriter j;
  j.open('{');
  j.num("n", 3);
  j.text("s", "a\"b\n");
  j.null("none");
  j.key("list"), j.open('[');
  j.item(uint64_t(1)), j.item("two"), j.item_flag(false);
  j.open('{'), j.flag("ok", true), j.close('}');
  j.close(']');
  j.metric(metric("pss", MetricScope::Process), 2.5);
  j.close('}');
  CHECK(j.out == R"({"n":3,"s":"a\"b\u000a","none":null,"list":[1,"two",false,{"ok":true}],"pss":2.5000})");
}

TEST_CASE("a system expect reads the machine's frames for its frame metrics, before or after counters",
          "[evaluate]") {
  // 8 anonymous pages written, then shared by P1 and C1: 8 frames mapped, no copy yet.
  Session s = ran(kForked);
  std::vector<ExpectOutcome> x =
      grade(s, "expect cow_copies=0 frames_mapped=8 frames_used=9\nexpect frames_shared=8 cow_copies=1\n");
  REQUIRE(x.size() == 5);
  CHECK(x[0].ok);
  CHECK(x[1].ok);
  CHECK(x[1].actual == "8");
  CHECK(!x[2].ok);
  CHECK(x[2].actual == "8");
  CHECK(x[3].ok);
  CHECK(!x[4].ok);
  CHECK(x[4].actual == "0");
}
