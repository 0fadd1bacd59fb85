// The quiz generators. A scenario is built statement by statement from the seed while the
// generator tracks which processes live and which regions exist, so every generated
// script runs without errors; the answers come from running it in a Session.
#include "quiz.h"

#include <cstdio>

#include "engine/script/session.h"

namespace cow::script {

uint64_t QuizRng::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint32_t QuizRng::below(uint32_t n) { return uint32_t(next() % n); }

bool QuizRng::chance(uint32_t percent) { return below(100) < percent; }

std::string QuizQuestion::label() const {
  std::string s = process;
  if (!region.empty()) s += " " + region;
  std::string name(metric->name);
  return s.empty() ? name : s + " " + name;
}

std::string QuizQuestion::expect() const { return "expect " + label() + "=" + answer; }

namespace {

// ---- metrics and answers ---------------------------------------------------------------

// A value as an expect accepts it: integers plain, pss with up to 4 decimals.
std::string value_text(const Metric& metric, double v) {
  std::string s = format_metric(metric, v);
  if (metric.format != MetricFormat::Pss) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string answer_of(const Engine& e, const QuizQuestion& q) {
  if (q.process.empty()) return value_text(*q.metric, metric_value(*q.metric, e.system(), e.counters()));
  ProcId p = e.find_process(q.process);
  Usage u = q.region.empty() ? e.usage(p) : e.region_usage(p, e.find_name(q.region));
  return value_text(*q.metric, metric_value(*q.metric, u));
}

// ---- the forward scenario --------------------------------------------------------------

std::string range_text(uint32_t first, uint32_t last) {
  return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

struct Scenario {
  explicit Scenario(uint64_t seed) : rng(seed) {}

  QuizRng rng;
  std::vector<std::string> lines;
  int steps = 0;
  uint32_t heap = 0, buf = 0, cfg = 0;    // region sizes in pages; 0 = not mapped
  std::vector<std::string> children;     // live processes other than P1
  uint32_t group = 0;                    // w1..w<group> all alive: `w[1-N]` may act
  bool grandchild = false;
  std::vector<QuizQuestion> questions;

  void stmt(const std::string& s) {
    lines.push_back(s);
    ++steps;
  }
  // A page range of a region of `pages` pages: 4-page aligned, 4 to 16 pages long.
  std::string range(uint32_t pages) {
    uint32_t first = 4 * rng.below(pages / 4);
    uint32_t room = (pages - first) / 4;
    uint32_t len = 4 * (1 + rng.below(room < 4 ? room : 4));
    return range_text(first, first + len - 1);
  }
  std::string any_child() { return rng.pick(children); }
  std::vector<std::string> live() const {
    std::vector<std::string> v{"P1"};
    v.insert(v.end(), children.begin(), children.end());
    return v;
  }

  void setup();
  void action(bool must_write);
  void bookmark(int count);
  // The commit-charge topic: its own scenario, and one question per metric given.
  void commit_scenario();
  void ask(const std::vector<const Metric*>& system_metrics);
};

void Scenario::setup() {
  heap = rng.pick(std::vector<uint32_t>{16, 24, 32, 48, 64});
  if (rng.chance(35)) cfg = rng.pick(std::vector<uint32_t>{16, 32});
  if (rng.chance(40)) buf = rng.pick(std::vector<uint32_t>{8, 16});
  if (cfg) stmt("file data " + std::to_string(cfg));
  stmt("spawn P1");
  stmt("P1 mmap heap " + std::to_string(heap));
  if (rng.chance(70)) {
    stmt("P1 write heap");
  } else {  // half written, the other half only read: zero-page PTEs
    stmt("P1 write heap 0-" + std::to_string(heap / 2 - 1));
    stmt("P1 read heap " + range_text(heap / 2, heap - 1));
  }
  if (buf) {
    stmt("P1 mmap buf " + std::to_string(buf) + " shared");
    stmt("P1 write buf");
  }
  if (cfg) {
    stmt("P1 mmap cfg data");
    stmt("P1 read cfg " + std::to_string(rng.below(cfg)));  // fault-around: 16 pages
  }
  if (rng.chance(60)) {
    stmt("P1 fork C1");
    children = {"C1"};
  } else {
    group = 2 + rng.below(2);
    stmt("P1 fork w[1-" + std::to_string(group) + "]");
    for (uint32_t i = 1; i <= group; ++i) children.push_back("w" + std::to_string(i));
  }
}

// One random statement after the fork. `must_write` forces a write to the heap.
void Scenario::action(bool must_write) {
  enum Kind { ChildWrite, ParentWrite, GroupWrite, BufWrite, CfgRead, CfgWrite, Fork, Exit };
  std::vector<Kind> kinds{ChildWrite, ChildWrite, ParentWrite};
  if (group && !must_write) kinds.push_back(GroupWrite);
  if (!must_write) {
    if (buf) kinds.push_back(BufWrite);
    if (cfg) kinds.push_back(CfgRead), kinds.push_back(CfgWrite);
    if (!grandchild) kinds.push_back(Fork);
    if (children.size() >= 2) kinds.push_back(Exit);
  }
  // Each random draw is its own statement: the operands of `+` are unsequenced, and GCC
  // and clang (the WASM build) would draw in different orders.
  std::string pages, child;
  switch (rng.pick(kinds)) {
    case ChildWrite: pages = range(heap), child = any_child(); stmt(child + " write heap " + pages); break;
    case ParentWrite: stmt("P1 write heap " + range(heap)); break;
    case GroupWrite: stmt("w[1-" + std::to_string(group) + "] write heap " + range(heap)); break;
    case BufWrite: pages = range(buf), child = any_child(); stmt(child + " write buf " + pages); break;
    case CfgRead:
      pages = std::to_string(rng.below(cfg)), child = any_child();
      stmt(child + " read cfg " + pages);
      break;
    case CfgWrite: pages = range(cfg), child = any_child(); stmt(child + " write cfg " + pages); break;
    case Fork: {
      stmt(any_child() + " fork G1");
      children.push_back("G1");
      grandchild = true;
      break;
    }
    case Exit: {
      uint32_t i = rng.below(uint32_t(children.size()));
      stmt(children[i] + " exit");
      if (children[i][0] == 'w') group = 0;
      children.erase(children.begin() + i);
      break;
    }
  }
}

// A `show` with `count` questions about the state there.
void Scenario::bookmark(int count) {
  constexpr MetricScope P = MetricScope::Process, R = MetricScope::Region, S = MetricScope::System;
  static const std::vector<const Metric*> process_metrics{
      &metric("pss", P), &metric("pss", P), &metric("uss", P), &metric("uss", P),
      &metric("rss", P), &metric("shared_dirty", P), &metric("private_dirty", P)};
  static const std::vector<const Metric*> system_metrics{
      &metric("frames_used", S), &metric("frames_used", S), &metric("cow_copies", S), &metric("cow_reuses", S),
      &metric("ptes_copied", S), &metric("zero_fills", S), &metric("frames_shared", S)};
  static const std::vector<const Metric*> region_metrics{
      &metric("rss", R), &metric("pss", R), &metric("shared_clean", R), &metric("shared_dirty", R),
      &metric("private_dirty", R), &metric("anon", R)};
  int bookmark = 1;
  for (const QuizQuestion& q : questions) bookmark = q.bookmark + 1;
  std::vector<QuizQuestion> asked;
  for (int i = 0; i < count; ++i) {
    QuizQuestion q;
    int kind = i == 1 ? 1 : (i == 2 && (buf || cfg)) ? 2 : 0;  // process, system, region
    if (kind == 1) {
      q.metric = rng.pick(system_metrics);
    } else {
      q.process = rng.pick(live());
      if (kind == 2) {
        q.region = buf && (!cfg || rng.chance(50)) ? "buf" : "cfg";
        q.metric = rng.pick(region_metrics);
      } else {
        q.metric = rng.pick(process_metrics);
      }
    }
    bool again = false;
    for (const QuizQuestion& a : asked) again |= a.label() == q.label();
    if (again) {
      --i;
      continue;
    }
    asked.push_back(q);
  }
  std::string comment = "show  #";
  for (QuizQuestion& q : asked) {
    q.number = int(questions.size()) + 1;
    q.bookmark = bookmark;
    comment += " Q" + std::to_string(q.number) + ": " + q.label() + " = ?";
    questions.push_back(q);
  }
  stmt(comment);
  for (QuizQuestion& q : questions)
    if (q.bookmark == bookmark) q.step = steps, q.line = int(lines.size());
}

// A machine of 64 MiB (16384 pages) under a drawn overcommit mode and ratio; P1 maps
// private, read-only, shared and noreserve regions, forks (which may be refused, so the
// children never act), and unmaps part of its heap. Each bookmark asks committed_as.
void Scenario::commit_scenario() {
  constexpr MetricScope S = MetricScope::System;
  bool strict = rng.chance(60);
  uint32_t ratio = rng.pick(std::vector<uint32_t>{50, 80, 100});
  heap = rng.pick(std::vector<uint32_t>{1000, 2000, 3000, 4000, 6000});
  uint32_t ro = rng.chance(50) ? rng.pick(std::vector<uint32_t>{500, 1000}) : 0;
  buf = rng.chance(40) ? rng.pick(std::vector<uint32_t>{256, 512}) : 0;
  uint32_t lazy = rng.chance(30) ? rng.pick(std::vector<uint32_t>{1000, 2000}) : 0;
  stmt("ram 64M");
  stmt(strict ? "mode overcommit=never" : "mode overcommit=heuristic");
  stmt("mode overcommit_ratio=" + std::to_string(ratio));
  stmt("spawn P1");
  stmt("P1 mmap heap " + std::to_string(heap));
  if (ro) stmt("P1 mmap ro " + std::to_string(ro) + " readonly");
  if (buf) stmt("P1 mmap buf " + std::to_string(buf) + " shared");
  if (lazy) stmt("P1 mmap lazy " + std::to_string(lazy) + " noreserve");
  stmt("P1 write heap");
  ask({&metric("committed_as", S), &metric("commit_limit", S)});
  if (ro && rng.chance(50)) stmt("P1 mprotect ro 0-" + std::to_string(ro / 2 - 1) + " readwrite");
  stmt("P1 fork C1");
  ask({&metric("committed_as", S), &metric("fork_failures", S)});
  if (rng.chance(50)) {
    stmt("P1 fork C2");
    ask({&metric("committed_as", S), &metric("fork_failures", S)});
  }
  stmt("P1 munmap heap 0-" + std::to_string(heap / 2 - 1));
  ask({&metric("committed_as", S)});
}

// A `show` asking each system metric given.
void Scenario::ask(const std::vector<const Metric*>& system_metrics) {
  int bookmark = questions.empty() ? 1 : questions.back().bookmark + 1;
  std::string comment = "show  #";
  for (const Metric* m : system_metrics) {
    QuizQuestion q{.number = int(questions.size()) + 1, .bookmark = bookmark, .metric = m};
    comment += " Q" + std::to_string(q.number) + ": " + q.label() + " = ?";
    questions.push_back(q);
  }
  stmt(comment);
  for (QuizQuestion& q : questions)
    if (q.bookmark == bookmark) q.step = steps, q.line = int(lines.size());
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

}  // namespace

Quiz make_quiz(uint64_t seed, QuizTopic topic) {
  Scenario g(seed);
  const std::string flag = topic == QuizTopic::Commit ? " --commit" : "";
  std::vector<std::string> header{
      "# cowlab quiz" + flag + ", seed " + std::to_string(seed) + ": predict each value asked at a `show`.",
      "# Check with: cowlab quiz" + flag + " --seed " + std::to_string(seed) + " --answers"};
  if (topic == QuizTopic::Commit) {
    g.commit_scenario();
  } else {
    g.setup();
    g.bookmark(2);
    int actions = 3 + int(g.rng.below(2));
    for (int i = 0; i < actions; ++i) {
      g.action(i == 0);
      if (i == 1) g.bookmark(2);
    }
    g.bookmark(3);
  }

  Quiz quiz;
  quiz.seed = seed;
  std::vector<std::string> all = header;
  all.insert(all.end(), g.lines.begin(), g.lines.end());
  quiz.script = join_lines(all);
  for (QuizQuestion& q : g.questions) q.line += int(header.size());

  Session s;
  s.load(quiz.script);
  for (QuizQuestion& q : g.questions) {
    s.run_to(size_t(q.step));
    q.answer = answer_of(s.engine(), q);
  }
  quiz.questions = g.questions;

  std::vector<std::string> answered = {"# cowlab quiz" + flag + ", seed " + std::to_string(seed) + ", with its answers"};
  for (size_t i = 0; i < g.lines.size(); ++i) {
    answered.push_back(g.lines[i]);
    for (const QuizQuestion& q : quiz.questions)
      if (q.line == int(i + 1 + header.size())) answered.push_back(q.expect() + "  # Q" + std::to_string(q.number));
  }
  quiz.answer_script = join_lines(answered);
  return quiz;
}

// ---- the reverse quiz ------------------------------------------------------------------

namespace {

struct ReverseDraw {
  std::vector<std::string> base, candidates, processes;
  std::vector<bool> ran;
};

ReverseDraw draw_reverse(QuizRng& rng) {
  ReverseDraw d;
  uint32_t heap = rng.pick(std::vector<uint32_t>{16, 24, 32});
  uint32_t buf = rng.chance(40) ? 8 : 0;
  d.base = {"spawn P1", "P1 mmap heap " + std::to_string(heap), "P1 write heap"};
  if (buf) d.base.push_back("P1 mmap buf 8 shared"), d.base.push_back("P1 write buf");
  d.base.push_back("P1 fork C1");
  d.processes = {"P1", "C1"};
  if (rng.chance(50)) d.base.push_back("P1 fork C2"), d.processes.push_back("C2");
  auto range = [&](uint32_t pages) {
    uint32_t first = 4 * rng.below(pages / 4);
    uint32_t room = (pages - first) / 4;
    uint32_t len = 4 * (1 + rng.below(room < 3 ? room : 3));
    return range_text(first, first + len - 1);
  };
  uint32_t count = 3 + rng.below(2);
  bool forked = false;
  for (uint32_t i = 0; i < count; ++i) {
    std::string child = rng.pick(std::vector<std::string>(d.processes.begin() + 1, d.processes.end()));
    uint32_t kind = rng.below(i + 1 == count ? 5 : 4);
    if (kind == 2 && (forked || !buf)) kind = 0;
    if (kind == 3 && forked) kind = 1;
    switch (kind) {
      case 0: d.candidates.push_back(child + " write heap " + range(heap)); break;
      case 1: d.candidates.push_back("P1 write heap " + range(heap)); break;
      case 2: d.candidates.push_back(child + " write buf " + range(buf)); break;
      case 3: d.candidates.push_back("P1 fork C3"), forked = true; break;
      default: d.candidates.push_back(child + " exit"); break;
    }
    d.ran.push_back(rng.chance(50));
  }
  bool any = false;
  for (bool r : d.ran) any |= r;
  if (!any) d.ran[rng.below(count)] = true;
  return d;
}

// The final counts after running base + the candidates selected by `mask`.
std::vector<std::string> final_counts(const ReverseDraw& d, uint32_t mask) {
  std::vector<std::string> lines = d.base;
  for (size_t i = 0; i < d.candidates.size(); ++i)
    if (mask >> i & 1) lines.push_back(d.candidates[i]);
  Session s;
  s.load(join_lines(lines));
  s.run_all();
  const Engine& e = s.engine();
  std::vector<std::string> out;
  std::string sys;
  constexpr MetricScope S = MetricScope::System, P = MetricScope::Process;
  SystemUsage system = e.system();
  for (const Metric* m : {&metric("frames_used", S), &metric("cow_copies", S), &metric("cow_reuses", S),
                          &metric("ptes_copied", S), &metric("faults", S)})
    sys += std::string(sys.empty() ? "" : " ") + std::string(m->name) + "=" +
           value_text(*m, metric_value(*m, system, e.counters()));
  out.push_back(sys);
  for (const std::string& name : d.processes) {
    ProcId p = e.find_process(name);
    if (!e.processes()[p].live()) {
      out.push_back(name + " state=" + to_string(e.processes()[p].state));
      continue;
    }
    Usage u = e.usage(p);
    std::string line = name;
    for (const Metric* m : {&metric("rss", P), &metric("pss", P), &metric("uss", P)})
      line += " " + std::string(m->name) + "=" + value_text(*m, metric_value(*m, u));
    out.push_back(line);
  }
  return out;
}

uint32_t mask_of(const std::vector<bool>& ran) {
  uint32_t m = 0;
  for (size_t i = 0; i < ran.size(); ++i) m |= uint32_t(ran[i]) << i;
  return m;
}

}  // namespace

ReverseQuiz make_reverse_quiz(uint64_t seed) {
  QuizRng rng(seed);
  ReverseDraw d;
  std::vector<std::string> counts;
  for (int attempt = 0; attempt < 64; ++attempt) {  // redraw until the answer is unique
    d = draw_reverse(rng);
    uint32_t chosen = mask_of(d.ran);
    counts = final_counts(d, chosen);
    bool unique = true;
    for (uint32_t m = 1; m < (1u << d.candidates.size()) && unique; ++m)
      unique = m == chosen || final_counts(d, m) != counts;
    if (unique) break;
  }
  ReverseQuiz q;
  q.seed = seed;
  q.base = join_lines(d.base);
  q.candidates = d.candidates;
  q.ran = d.ran;
  q.final_counts = counts;
  std::string letters;
  std::string text = "# cowlab quiz --reverse, seed " + std::to_string(seed) + "\n# This ran first, as shown:\n" + q.base;
  text += "# Then some of these statements ran, in this order; the others were skipped:\n";
  for (size_t i = 0; i < d.candidates.size(); ++i) {
    std::string letter(1, char('A' + i));
    text += "#   " + letter + ") " + d.candidates[i] + "\n";
    if (d.ran[i]) letters += std::string(letters.empty() ? "" : ", ") + letter;
  }
  text += "# The final counts:\n";
  for (const std::string& c : counts) text += "#   " + c + "\n";
  text += "# Which of A-" + std::string(1, char('A' + d.candidates.size() - 1)) +
          " ran? (answers: cowlab quiz --seed " + std::to_string(seed) + " --reverse --answers)\n";
  q.text = text;
  q.answer = letters;
  std::string script = "# cowlab quiz --reverse, seed " + std::to_string(seed) + ": " + letters + " ran\n" + q.base;
  for (size_t i = 0; i < d.candidates.size(); ++i)
    if (d.ran[i]) script += d.candidates[i] + "  # " + std::string(1, char('A' + i)) + "\n";
  for (const std::string& c : counts) script += "expect " + c + "\n";
  q.answer_script = script;
  return q;
}

}  // namespace cow::script
