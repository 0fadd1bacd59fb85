// `cowlab check`: scripts as tests, one line per script and a summary; optionally a JUnit
// XML report for CI.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>

#include "commands.h"
#include "engine/script/session.h"
#include "junit.h"
#include "report.h"

namespace cow::shell {

namespace {

constexpr Option kCheckOptions[] = {
    {.name = "--junit",
     .takes = Takes::Value,
     .value = "REPORT.xml",
     .help = "also write a JUnit XML report to REPORT.xml: one testcase per script, with a failure "
             "holding the failed expects or the error"},
};

enum class Verdict { Passed, Failed, Error };

// The column of the `expect` statement on `line` (expect outcomes carry only the line).
int expect_col(const script::Script& script, int line) {
  for (const script::Statement& st : script.statements)
    if (st.pos.line == line && st.verb == script::Verb::Expect) return st.pos.col;
  return 1;
}

// Runs one script as a test, prints its lines on stdout and fills `t`'s outcome.
Verdict check_one(const std::string& file, TestCase* t) {
  std::string text;
  if (!read_source(file, &text)) {
    t->passed = false, t->failure_type = "error", t->failure_message = file + ": cannot open the file";
    t->failure_text = t->failure_message + "\n";
    return Verdict::Error;
  }
  script::Session s;
  s.load(text);
  s.run_all();
  size_t bad = 0;
  for (const script::ExpectOutcome& x : s.expects()) bad += !x.ok;
  if (s.error()) {
    t->failure_text = format_error(file, text, *s.error());
    t->passed = false, t->failure_type = "error", t->failure_message = t->failure_text.substr(0, t->failure_text.find('\n'));
    std::printf("ERROR %s\n", file.c_str());
    std::fputs(t->failure_text.c_str(), stdout);
    return Verdict::Error;
  }
  if (bad == 0) {
    std::printf("ok    %s (%zu expects)\n", file.c_str(), s.expects().size());
    return Verdict::Passed;
  }
  t->passed = false, t->failure_type = "expect";
  t->failure_message = std::to_string(bad) + " of " + std::to_string(s.expects().size()) + " expects failed";
  std::printf("FAIL  %s: %s\n", file.c_str(), t->failure_message.c_str());
  for (const script::ExpectOutcome& x : s.expects()) {
    if (x.ok) continue;
    std::printf("      %s:%d: %s\n", file.c_str(), x.line, x.message.c_str());
    t->failure_text += file + ":" + std::to_string(x.line) + ":" + std::to_string(expect_col(s.script(), x.line)) +
                       ": expect failed: " + x.message + "\n";
  }
  return Verdict::Failed;
}

std::string local_timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  char buf[32] = "";
  if (localtime_r(&now, &tm)) std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (out) return true;
  std::fprintf(stderr, "cowlab check: cannot write the JUnit report '%s'\n", path.c_str());
  return false;
}

}  // namespace

constexpr std::string_view kCheckDetails =
    "Each script must run to its end with every `expect` holding.\n"
    "Exit status: 0 all passed, 1 an expect failed, 2 a script error or an\n"
    "unreadable file.\n";

const Spec kCheckSpec = {"check", "run scripts as tests: one line per file and a summary", kCheckOptions, kScripts,
                         kCheckDetails};

int check_main(const Parsed& args) {
  using Clock = std::chrono::steady_clock;
  std::string timestamp = local_timestamp();
  Clock::time_point start = Clock::now();
  std::vector<TestCase> cases;
  int ok = 0, failed = 0, errors = 0;
  for (const std::string& file : args.operands()) {
    Clock::time_point t0 = Clock::now();
    TestCase& t = cases.emplace_back(TestCase{.name = file});
    Verdict v = check_one(file, &t);
    t.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    (v == Verdict::Passed ? ok : v == Verdict::Failed ? failed : errors) += 1;
  }
  std::printf("%d passed, %d failed\n", ok, failed + errors);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (args.has("--junit") &&
      !write_file(args.value("--junit"), junit_xml("cowlab.check", cases, seconds, timestamp)))
    return 2;
  return errors ? 2 : failed ? 1 : 0;
}

}  // namespace cow::shell
