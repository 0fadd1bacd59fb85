// `cowlab check`: scripts as tests, one line per script and a summary; optionally a JUnit
// XML report for CI, a JSON report for graders (docs/json.md), an instructor's file of
// `expect` lines checked against each script's final state, and a least number of
// `expect` lines each script must hold.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>

#include "commands.h"
#include "engine/script/json.h"
#include "engine/script/lines.h"
#include "engine/script/parser.h"
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
    {.name = "--json",
     .help = "print a JSON array instead of text: per script its status, error and every expect "
             "(line, scope, metric, expected, actual, pass); docs/json.md"},
    {.name = "--expects",
     .takes = Takes::Value,
     .value = "FILE",
     .help = "grade each script by FILE's `expect` lines, checked against the script's final state "
             "(never appended to it); the script's own expects are reported, not graded"},
    {.name = "--min-expects",
     .takes = Takes::Value,
     .value = "N",
     .help = "a script with fewer than N `expect` lines of its own fails"},
};

enum class Verdict { Passed, Failed, Error };

// An instructor's `expect` lines (--expects FILE), parsed on their own.
struct ExpectsFile {
  std::string path;
  script::Script script;
};

// What checking one script found.
struct Result {
  std::string file;
  Verdict verdict = Verdict::Passed;
  std::string message;                       // why it did not pass, one line
  std::string error_file;                    // where the error is (the script)
  std::optional<script::Diagnostic> error;   // a syntax or runtime error
  std::string error_text;                    // the error with its source line and caret
  size_t expect_lines = 0;                   // `expect` statements of the script itself
  std::vector<script::ExpectOutcome> own;    // the script's expects, as they ran
  std::vector<script::ExpectOutcome> graded_file;  // FILE's expects at the end (--expects)
  bool by_file = false;                      // graded by --expects
  const std::vector<script::ExpectOutcome>& graded() const { return by_file ? graded_file : own; }
};

size_t count_failed(const std::vector<script::ExpectOutcome>& xs) {
  size_t bad = 0;
  for (const script::ExpectOutcome& x : xs) bad += !x.ok;
  return bad;
}

// Runs `file` to its end (or its error), then grades it.
Result check_one(const std::string& file, const ExpectsFile* expects, uint64_t min_expects) {
  Result r{.file = file, .by_file = expects != nullptr};
  std::string text;
  if (!read_source(file, &text)) {
    r.verdict = Verdict::Error, r.message = file + ": cannot open the file";
    return r;
  }
  script::Session s;
  s.load(text);
  s.run_all();
  r.own = s.expects();
  for (const script::Statement& st : s.script().statements) r.expect_lines += st.verb == script::Verb::Expect;
  if (expects)  // against the state where the script ended, or stopped on an error
    for (const script::Statement& st : expects->script.statements) {
      std::vector<script::ExpectOutcome> xs = s.evaluate(st);
      r.graded_file.insert(r.graded_file.end(), xs.begin(), xs.end());
    }
  size_t bad = count_failed(r.graded());
  if (s.error()) {
    r.verdict = Verdict::Error, r.error = s.error(), r.error_file = file;
    r.error_text = format_error(file, text, *s.error());
    r.message = r.error_text.substr(0, r.error_text.find('\n'));
  } else if (r.expect_lines < min_expects) {
    r.verdict = Verdict::Failed;
    r.message = "the script has " + std::to_string(r.expect_lines) + " `expect` line" + (r.expect_lines == 1 ? "" : "s") +
                " of its own; --min-expects asks for at least " + std::to_string(min_expects);
  } else if (bad > 0) {
    r.verdict = Verdict::Failed;
    r.message = std::to_string(bad) + " of " + std::to_string(r.graded().size()) + " expects failed";
  }
  return r;
}

std::string where(const Result& r, const ExpectsFile* expects) {
  return expects ? expects->path : r.file;
}

// One result as its JUnit testcase (without its time).
TestCase testcase(const Result& r, const ExpectsFile* expects) {
  TestCase t{.name = r.file, .passed = r.verdict == Verdict::Passed};
  if (t.passed) return t;
  t.failure_type = r.verdict == Verdict::Error ? "error" : "expect";
  t.failure_message = r.message;
  t.failure_text = r.error_text;
  for (const script::ExpectOutcome& x : r.graded())
    if (!x.ok)
      t.failure_text += where(r, expects) + ":" + std::to_string(x.line) + ":" + std::to_string(x.col) +
                        ": expect failed: " + x.message + "\n";
  if (t.failure_text.empty()) t.failure_text = r.message + "\n";
  return t;
}

// The text lines of one result.
void print_text(const Result& r, const ExpectsFile* expects) {
  if (r.verdict == Verdict::Passed) {
    std::string from = expects ? " from " + expects->path : "";
    std::printf("ok    %s (%zu expects%s)\n", r.file.c_str(), r.graded().size(), from.c_str());
    return;
  }
  if (r.verdict == Verdict::Error) {
    std::printf("ERROR %s\n", r.file.c_str());
    std::fputs(r.error_text.empty() ? (r.message + "\n").c_str() : r.error_text.c_str(), stdout);
  } else {
    std::printf("FAIL  %s: %s\n", r.file.c_str(), r.message.c_str());
  }
  for (const script::ExpectOutcome& x : r.graded())
    if (!x.ok) std::printf("      %s:%d: %s\n", where(r, expects).c_str(), x.line, x.message.c_str());
}

// A value of an expect in the JSON: a string for a task state, else a number.
void json_value(script::JsonWriter& j, std::string_view key, const script::ExpectOutcome& x, const std::string& v) {
  if (v.empty()) return j.null(key);
  if (x.metric == "state") return j.text(key, v);
  j.literal(key, v);
}

void json_expects(script::JsonWriter& j, const std::vector<script::ExpectOutcome>& xs, std::string_view source,
                  bool graded) {
  for (const script::ExpectOutcome& x : xs) {
    j.open('{');
    j.text("source", source);
    j.flag("graded", graded);
    j.num("line", uint64_t(x.line)), j.num("col", uint64_t(x.col));
    j.text("scope", script::scope_name(x.scope));
    x.process.empty() ? j.null("process") : j.text("process", x.process);
    x.region.empty() ? j.null("region") : j.text("region", x.region);
    j.text("metric", x.metric);
    json_value(j, "expected", x, x.expected);
    json_value(j, "actual", x, x.actual);
    j.flag("pass", x.ok);
    j.text("message", x.message);
    j.close('}');
  }
}

void print_json(script::JsonWriter& j, const Result& r) {
  static constexpr const char* kStatus[] = {"passed", "failed", "error"};
  j.open('{');
  j.text("file", r.file);
  j.text("status", kStatus[int(r.verdict)]);
  r.message.empty() ? j.null("message") : j.text("message", r.message);
  if (r.error) {
    j.key("error"), j.open('{');
    j.text("file", r.error_file);
    j.num("line", uint64_t(r.error->pos.line)), j.num("col", uint64_t(r.error->pos.col));
    j.text("message", r.error->message);
    j.close('}');
  } else {
    j.null("error");
  }
  j.num("expect_lines", r.expect_lines);
  j.num("graded", r.graded().size());
  j.num("passed", r.graded().size() - count_failed(r.graded()));
  j.key("expects"), j.open('[');
  json_expects(j, r.own, "script", !r.by_file);
  json_expects(j, r.graded_file, "expects", true);
  j.close(']');
  j.close('}');
}

// Parses --expects FILE: `expect` lines, comments and blank lines only. Prints the error.
std::optional<ExpectsFile> read_expects(const std::string& path) {
  std::string text;
  if (!read_source(path, &text)) return std::nullopt;
  script::ParseResult p = script::parse(text);
  std::optional<script::Diagnostic> bad = p.error;
  for (const script::Statement& st : p.script.statements)
    if (!bad && st.verb != script::Verb::Expect)
      bad = script::Diagnostic{st.pos, "an expects file (--expects) holds only `expect` lines, comments and blank "
                                       "lines; this is '" + std::string(script::statement_source(script::line_at(text, st.pos.line), st)) + "'"};
  if (!bad) return ExpectsFile{path, std::move(p.script)};
  std::fputs(("cowlab check: " + format_error(path, text, *bad)).c_str(), stderr);
  return std::nullopt;
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
    "Each script must run to its end with every `expect` holding. With\n"
    "--expects FILE, FILE's expect lines are checked against each script's final\n"
    "state instead (where a script stopped on an error, against the state there):\n"
    "an expect naming a process or region the script never made is a failed\n"
    "check, not an error.\n"
    "Exit status: 0 all passed, 1 an expect failed (or --min-expects), 2 a script\n"
    "error, an unreadable file or a bad expects file.\n";

const Spec kCheckSpec = {"check", "run scripts as tests: one line per file and a summary", kCheckOptions, kScripts,
                         kCheckDetails};

int check_main(const Parsed& args) {
  using Clock = std::chrono::steady_clock;
  std::optional<uint64_t> min_expects = args.number("--min-expects", 0, 0, 1000000);
  if (!min_expects) return 2;
  std::optional<ExpectsFile> expects;
  if (args.has("--expects") && !(expects = read_expects(args.value("--expects")))) return 2;
  bool json = args.has("--json");
  std::string timestamp = local_timestamp();
  Clock::time_point start = Clock::now();
  std::vector<TestCase> cases;
  script::JsonWriter j;
  j.open('[');
  int ok = 0, failed = 0, errors = 0;
  for (const std::string& file : args.operands()) {
    Clock::time_point t0 = Clock::now();
    const ExpectsFile* by = expects ? &*expects : nullptr;
    Result r = check_one(file, by, *min_expects);
    json ? print_json(j, r) : print_text(r, by);
    TestCase& t = cases.emplace_back(testcase(r, by));
    t.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    (r.verdict == Verdict::Passed ? ok : r.verdict == Verdict::Failed ? failed : errors) += 1;
  }
  j.close(']');
  if (json)
    std::printf("%s\n", j.out.c_str());
  else
    std::printf("%d passed, %d failed\n", ok, failed + errors);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (args.has("--junit") &&
      !write_file(args.value("--junit"), junit_xml("cowlab.check", cases, seconds, timestamp)))
    return 2;
  return errors ? 2 : failed ? 1 : 0;
}

}  // namespace cow::shell
