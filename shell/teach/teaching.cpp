// `cowlab quiz` and `cowlab cost`: thin drivers over engine/teach/quiz.h and
// engine/teach/cost.h.
#include "teaching.h"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "engine/teach/cost.h"
#include "engine/script/parser.h"
#include "engine/teach/quiz.h"
#include "engine/script/session.h"
#include "shell/report.h"

namespace cow::shell {

namespace {

// Pads `s` to `width` columns, counting UTF-8 code points (for "µs").
std::string pad(const std::string& s, size_t width, bool right = false) {
  size_t cols = 0;
  for (unsigned char c : s) cols += (c & 0xC0) != 0x80;
  if (cols >= width) return s;
  std::string fill(width - cols, ' ');
  return right ? fill + s : s + fill;
}

}  // namespace

// ---- quiz ------------------------------------------------------------------------------

constexpr Option kQuizOptions[] = {
    {.name = "--seed", .takes = Takes::Value, .value = "N", .help = "the scenario's seed (default 1)",
     .short_name = "-s"},
    {.name = "--answers",
     .help = "print the scenario again as a self-checking script with the answers",
     .short_name = "-c"},
    {.name = "--reverse", .help = "give the final counts and ask which of the listed statements ran"},
};

const Spec kQuizSpec = {
    .name = "quiz",
    .summary = "a copy-on-write scenario generated from a seed, with questions",
    .options = kQuizOptions,
};

int quiz_main(const Parsed& args) {
  std::optional<uint64_t> seed = args.number("--seed", 1, 0, UINT64_MAX);
  if (!seed) return 2;
  bool answers = args.has("--answers"), reverse = args.has("--reverse");
  if (reverse) {
    script::ReverseQuiz q = script::make_reverse_quiz(*seed);
    if (!answers) {
      std::fputs(q.text.c_str(), stdout);
      return 0;
    }
    std::fputs(q.answer_script.c_str(), stdout);
    std::printf("# Answer: %s\n", q.answer.c_str());
    return 0;
  }
  script::Quiz q = script::make_quiz(*seed);
  if (!answers) {
    std::fputs(q.script.c_str(), stdout);
    return 0;
  }
  std::fputs(q.answer_script.c_str(), stdout);
  std::puts("# Answers:");
  for (const script::QuizQuestion& x : q.questions)
    std::printf("#   Q%d (line %d): %s = %s\n", x.number, x.line, x.label().c_str(), x.answer.c_str());
  return 0;
}

// ---- cost ------------------------------------------------------------------------------

namespace {

struct CostRow {
  int line = 0;
  bool ran = false;
  bool fork_failed = false;
  StepCost cost;
};

// Runs `text` statement by statement and prices each step. `line_shift` maps the lines of
// a script with one inserted line (after line `inserted_after`) back to the original.
std::vector<CostRow> price_script(const std::string& text, const CostModel& m, int inserted_after,
                                  std::string* error) {
  std::vector<CostRow> rows;
  script::Session s;
  if (!s.load(text)) {
    *error = std::to_string(s.error()->pos.line) + ":" + std::to_string(s.error()->pos.col) + ": " + s.error()->message;
    return rows;
  }
  while (!s.at_end() && !s.stopped()) {
    Engine before = s.engine();
    int line = s.script().statements[s.position()].pos.line;
    s.step();
    if (inserted_after >= 0 && line == inserted_after + 1) continue;  // the inserted `mode`
    if (inserted_after >= 0 && line > inserted_after) --line;
    CostRow r{.line = line, .ran = true};
    for (const Event& e : s.history().back().events) r.fork_failed |= e.kind == EventKind::ForkFailed;
    r.cost = step_cost(m, before, s.engine(), s.history().back().events);
    rows.push_back(r);
  }
  if (s.error())
    *error = "line " + std::to_string(s.error()->pos.line - (inserted_after >= 0 && s.error()->pos.line > inserted_after ? 1 : 0)) +
             ": " + s.error()->message;
  return rows;
}

// The same script under `mode fork=copy`: the mode goes right after `ram` (which resets
// the machine) or first; explicit `mode fork=cow` lines become fork=copy.
std::string copy_mode_text(const std::string& text, int* inserted_after) {
  script::ParseResult p = script::parse(text);
  int ram_line = 0;
  for (const script::Statement& st : p.script.statements)
    if (st.verb == script::Verb::Ram) ram_line = st.pos.line;
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  for (const script::Statement& st : p.script.statements) {
    if (st.verb != script::Verb::Mode) continue;
    std::string& l = lines[size_t(st.pos.line - 1)];
    size_t at = l.find("fork=cow");
    if (at != std::string::npos) l.replace(at, 8, "fork=copy");
  }
  lines.insert(lines.begin() + ram_line, "mode fork=copy");
  *inserted_after = ram_line;
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += lines[i] + (i + 1 < lines.size() ? "\n" : "");
  return out;
}

std::string statement_text(const std::string& text, int line) {
  size_t start = 0;
  for (int l = 1; l < line && start != std::string::npos; ++l) {
    start = text.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos) return "";
  std::string s = text.substr(start, text.find('\n', start) - start);
  s = s.substr(0, s.find('#'));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.pop_back();
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  return s.size() > 34 ? s.substr(0, 31) + "..." : s;
}

const CostRow* find_row(const std::vector<CostRow>& rows, int line) {
  for (const CostRow& r : rows)
    if (r.line == line) return &r;
  return nullptr;
}

std::string cell(const CostRow* r) {
  if (!r) return pad("(not run)", 28, true);
  std::string t = r->fork_failed ? "fork failed" : format_time_us(r->cost.time_us);
  return pad(t, 12, true) + pad(format_bytes(double(r->cost.memory_bytes), true), 16, true);
}

int print_side_by_side(const std::string& file, const std::string& text, const CostModel& m) {
  std::string cow_error, copy_error;
  std::vector<CostRow> cow = price_script(text, m, -1, &cow_error);
  int inserted = 0;
  std::string copy_text = copy_mode_text(text, &inserted);
  std::vector<CostRow> copy = price_script(copy_text, m, inserted, &copy_error);
  if (cow.empty() && !cow_error.empty()) {
    std::fprintf(stderr, "%s:%s\n", file.c_str(), cow_error.c_str());
    return 2;
  }
  std::printf("Modeled cost per statement of %s (4 KiB pages; constants: cowlab cost --constants)\n", file.c_str());
  std::printf("%s  %s  %s\n", pad("", 41).c_str(), pad("---------- fork=cow ----------", 28).c_str(),
              "--------- fork=copy ----------");
  std::printf("%s %s  %s%s  %s%s\n", pad("line", 5, true).c_str(), pad("statement", 35).c_str(), pad("time", 12, true).c_str(),
              pad("extra memory", 16, true).c_str(), pad("time", 12, true).c_str(), pad("extra memory", 16, true).c_str());
  double cow_t = 0, copy_t = 0;
  int64_t cow_b = 0, copy_b = 0;
  for (const CostRow& r : cow) {
    const CostRow* c = find_row(copy, r.line);
    cow_t += r.cost.time_us, cow_b += r.cost.memory_bytes;
    if (c) copy_t += c->cost.time_us, copy_b += c->cost.memory_bytes;
    if (r.cost.time_us == 0 && r.cost.memory_bytes == 0 && (!c || (c->cost.time_us == 0 && c->cost.memory_bytes == 0)))
      continue;  // show, expect, mmap ...: free in both modes
    std::printf("%5d %s  %s  %s\n", r.line, pad(statement_text(text, r.line), 35).c_str(), cell(&r).c_str(), cell(c).c_str());
  }
  CostRow total_cow{.cost = {.time_us = cow_t, .memory_bytes = cow_b}};
  CostRow total_copy{.cost = {.time_us = copy_t, .memory_bytes = copy_b}};
  std::printf("%s %s  %s  %s\n", pad("", 5).c_str(), pad("total", 35).c_str(), cell(&total_cow).c_str(), cell(&total_copy).c_str());
  if (!cow_error.empty()) std::printf("fork=cow stopped: %s\n", cow_error.c_str());
  if (!copy_error.empty()) std::printf("fork=copy stopped: %s\n", copy_error.c_str());
  return cow_error.empty() ? 0 : 2;
}

// The widely quoted table, reproduced by the model and by running the engine.
void print_classic(const CostModel& m) {
  const uint32_t mib = 120;
  ClassicRow k4 = classic_4k(m, mib), thp = classic_thp(m, mib);
  // The same fork run through the engine and priced step by step.
  std::string err;
  std::string text = "spawn P1\nP1 mmap heap 120M\nP1 write heap\nP1 fork C1\n";
  std::vector<CostRow> cow = price_script(text, m, -1, &err);
  int inserted = 0;
  std::vector<CostRow> copy = price_script(copy_mode_text(text, &inserted), m, inserted, &err);
  const CostRow* ec = find_row(cow, 4);
  const CostRow* ep = find_row(copy, 4);

  std::puts("The classic table: fork of a process with 120 MiB written (30720 pages of 4 KiB, or 60 huge pages)");
  std::printf("%s%s%s%s%s%s%s\n", pad("", 22).c_str(), pad("model 4K", 11, true).c_str(), pad("engine 4K", 11, true).c_str(),
              pad("measured 4K", 13, true).c_str(), pad("model THP", 11, true).c_str(), pad("measured THP", 14, true).c_str(),
              pad("quoted", 10, true).c_str());
  auto row = [&](const char* what, const std::string& a, const std::string& b, const char* c, const std::string& d,
                 const char* e, const char* f) {
    std::printf("%s%s%s%s%s%s%s\n", pad(what, 22).c_str(), pad(a, 11, true).c_str(), pad(b, 11, true).c_str(),
                pad(c, 13, true).c_str(), pad(d, 11, true).c_str(), pad(e, 14, true).c_str(), pad(f, 10, true).c_str());
  };
  row("fork time, COW", format_time_us(k4.cow_us), ec ? format_time_us(ec->cost.time_us) : "?", "2.98 ms",
      format_time_us(thp.cow_us), "107 \u00b5s", "~45 \u00b5s");
  row("fork time, naive copy", format_time_us(k4.copy_us), ep ? format_time_us(ep->cost.time_us) : "?", "55.09 ms",
      format_time_us(thp.copy_us), "9.67 ms", "~12.4 ms");
  row("extra memory, COW", format_bytes(k4.cow_kib * 1024, false), ec ? format_bytes(double(ec->cost.memory_bytes), false) : "?",
      "344 KiB", format_bytes(thp.cow_kib * 1024, false), "344 KiB", "");
  row("extra memory, copy", format_bytes(k4.copy_kib * 1024, false), ep ? format_bytes(double(ep->cost.memory_bytes), false) : "?",
      "~120.3 MiB", format_bytes(thp.copy_kib * 1024, false), "~120.3 MiB", "");
  std::puts("");
  std::puts("measured: docs/kernel-rules.md (Linux 6.18, x86-64); the naive copy is the 55,035 \u00b5s");
  std::puts("(4K) or 9,627 \u00b5s (THP) copy of 120 MiB into fresh memory plus the empty fork (52 or 41 \u00b5s).");
  std::puts("quoted: the widely quoted table (8 cores, Linux 6.6): ~45 \u00b5s for the COW fork against");
  std::puts("~12,400 \u00b5s for a naive copy. Those figures match the huge-page (THP) columns. With 4 KiB");
  std::puts("pages, as in this engine, the same fork costs ~3 ms (30720 PTEs copied at ~95 ns each) and");
  std::puts("the copy ~55 ms. COW wins ~18x in time with 4 KiB pages, ~90x with huge pages, and ~350x in");
  std::puts("memory either way: fork pays for page tables, not for data.");
}

}  // namespace

constexpr Option kCostOptions[] = {
    {.name = "--model",
     .takes = Takes::Value,
     .value = "FILE",
     .help = "the model's constants from FILE, as `cowlab calibrate` prints them"},
    {.name = "--classic", .help = "print the classic table (fork of 120 MiB, COW vs naive copy) also with a script"},
    {.name = "--constants", .help = "print the model's constants"},
};

const Spec kCostSpec = {
    .name = "cost",
    .summary = "modeled kernel time and memory per statement, COW vs eager copy",
    .options = kCostOptions,
    .operands = kOptionalScript,
    .details = "Prices each statement of the script in time and extra memory, with fork=cow and\n"
               "with fork=copy side by side. Without a script (or with --classic) prints the\n"
               "classic table: fork of 120 MiB, COW vs naive copy.\n",
};

int cost_main(const Parsed& args) {
  CostModel m;
  std::string file = args.operand();
  bool classic = args.has("--classic"), constants = args.has("--constants");
  if (args.has("--model")) {
    std::string path = args.value("--model"), text, error;
    if (!read_source(path, &text)) return 2;
    if (!parse_cost_model(text, &m, &error)) {
      std::fprintf(stderr, "cowlab cost: %s:%s\n", path.c_str(), error.c_str());
      return 2;
    }
  }
  if (constants) std::fputs(format_cost_model(m).c_str(), stdout);
  int status = 0;
  if (!file.empty()) {
    std::string text;
    if (!read_source(file, &text)) return 2;
    status = print_side_by_side(file, text, m);
  }
  if (classic || (file.empty() && !constants)) {
    if (!file.empty()) std::puts("");
    print_classic(m);
  }
  return status;
}

}  // namespace cow::shell
