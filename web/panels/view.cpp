// Building the View: the numbers of the current step, the per-step series and the event
// lines. Called by App when the position changes, never per frame.
#include <algorithm>

#include "engine/script/parser.h"
#include "panels.h"

namespace cow::web {

namespace {

// Above this many PTE visits per load, per-process points are recorded on fewer steps
// (every `stride` steps, doubling each time the budget is spent again).
constexpr uint64_t kSeriesBudget = 150'000'000;

// PTEs that one accounting pass over every live address space visits.
uint64_t accounting_cost(const Engine& e) {
  uint64_t cost = 0;
  std::vector<uint8_t> seen(e.address_spaces().size(), 0);
  for (const Process& p : e.processes()) {
    if (!p.live() || p.mm >= seen.size() || seen[p.mm]) continue;
    seen[p.mm] = 1;
    for (const Mapping& m : e.address_spaces()[p.mm].mappings) cost += m.pt.ptes.size();
  }
  return cost;
}

// Every task's numbers (zero for ended tasks).
std::vector<ProcPoint> process_points(const Engine& e, const UsageTable& usage) {
  std::vector<ProcPoint> out(e.processes().size());
  for (ProcId p = 0; p < out.size(); ++p) out[p] = proc_point(usage.process(p));
  return out;
}

// Tasks in parent -> child order (depth-first, children in creation order).
std::vector<ProcRow> process_tree(const Engine& e) {
  const auto& procs = e.processes();
  std::vector<std::vector<ProcId>> children(procs.size());
  std::vector<ProcId> roots;
  for (ProcId p = 0; p < procs.size(); ++p) {
    // A thread's real parent is its group's parent: draw it under its leader instead.
    ProcId parent = procs[p].is_thread(p) ? procs[p].leader : procs[p].parent;
    (parent < procs.size() ? children[parent] : roots).push_back(p);
  }
  std::vector<ProcRow> rows;
  rows.reserve(procs.size());
  std::vector<std::pair<ProcId, int>> stack;
  for (auto r = roots.rbegin(); r != roots.rend(); ++r) stack.push_back({*r, 0});
  while (!stack.empty()) {
    auto [p, depth] = stack.back();
    stack.pop_back();
    const Process& pr = procs[p];
    ProcRow row;
    row.id = p;
    row.pid = pr.pid;
    row.depth = depth;
    row.name = pr.name;
    row.state = pr.state;
    row.thread = pr.is_thread(p);
    row.mm = pr.mm;
    rows.push_back(std::move(row));
    for (auto c = children[p].rbegin(); c != children[p].rend(); ++c) stack.push_back({*c, depth + 1});
  }
  return rows;
}

bool has_procs(const Series& s, size_t step) {
  return step < s.procs.size() && !s.procs[step].empty();
}
bool has_system(const Series& s, size_t step) {
  return step < s.system.size() && s.system[step].valid;
}

// What the view showed before a rebuild: the previous step's numbers when it was there.
struct Shown {
  bool was_prev = false;
  SysPoint now;
  std::vector<ProcPoint> procs;  // by ProcId
};

Shown shown_before(const View& v, uint64_t generation, size_t position) {
  Shown s;
  s.was_prev = v.valid && v.generation == generation && v.position + 1 == position;
  if (!s.was_prev) return s;
  s.now = v.now;
  for (const ProcRow& r : v.procs) {
    if (r.id >= s.procs.size()) s.procs.resize(r.id + 1);
    s.procs[r.id] = r.now;
  }
  return s;
}

// The numbers now and one step back: from the series when recorded, else computed now
// (and the previous ones taken from what the view showed, if it showed that step).
void fill_numbers(View& v, const script::Session& s, const StateUsage& usage, Shown&& old) {
  const Engine& e = s.engine();
  size_t pos = v.position;
  v.now = has_system(v.series, pos) ? v.series.system[pos]
                                    : SysPoint{usage.of(s, v.generation).system(), e.counters(), true};
  v.has_prev = false;
  if (pos > 0 && has_system(v.series, pos - 1)) {
    v.prev = v.series.system[pos - 1];
    v.has_prev = true;
  } else if (old.was_prev) {
    v.prev = old.now;
    v.has_prev = true;
  }
  std::vector<ProcPoint> now = has_procs(v.series, pos) ? v.series.procs[pos]
                                                              : process_points(e, usage.of(s, v.generation));
  std::vector<ProcPoint> prev;
  if (pos > 0 && has_procs(v.series, pos - 1)) prev = v.series.procs[pos - 1];
  else if (old.was_prev) prev = std::move(old.procs);
  for (ProcRow& r : v.procs) {
    if (r.id < now.size()) r.now = now[r.id];
    if (r.id < prev.size()) r.prev = prev[r.id];
  }
}

}  // namespace

ProcPoint proc_point(const Usage& u) {
  ProcPoint p;
  p.rss = uint32_t(u.rss);
  p.uss = uint32_t(u.uss);
  p.shared = uint32_t(u.shared_clean + u.shared_dirty);
  p.priv = uint32_t(u.private_clean + u.private_dirty);
  p.anon = uint32_t(u.anon);
  p.anon_huge = uint32_t(u.anon_huge);
  p.file = uint32_t(u.file);
  p.shmem = uint32_t(u.shmem);
  p.pss = u.pss;
  p.valid = true;
  return p;
}

const UsageTable& StateUsage::of(const script::Session& s, uint64_t generation) const {
  if (!table_ || generation_ != generation || position_ != s.position() || stopped_ != s.stopped()) {
    table_.emplace(s.engine(), &cache_);
    generation_ = generation, position_ = s.position(), stopped_ = s.stopped();
  }
  return *table_;
}

void record_step(Series& s, const script::Session& session, const StateUsage& usage, uint64_t generation) {
  const Engine& e = session.engine();
  size_t position = session.position();
  if (position != s.system.size()) return;  // recorded already, or a step was skipped
  bool record = position % s.stride == 0;
  if (!record) {
    s.system.push_back(SysPoint{});
    s.procs.emplace_back();
    return;
  }
  const UsageTable& now = usage.of(session, generation);
  s.system.push_back(SysPoint{now.system(), e.counters(), true});
  s.cost += e.frames().total() / 4 + accounting_cost(e);
  s.procs.push_back(process_points(e, now));
  while (s.cost > kSeriesBudget * s.stride) s.stride *= 2;
}

bool wants_cost(const Series& s, size_t position) {
  return position + 1 == s.system.size() && (position + 1) % s.stride == 0;
}

void record_cost(Series& s, const CostModel& m, const Engine& before, const script::Session& after) {
  size_t pos = after.position();
  if (pos == 1 && s.costs.empty()) s.costs.push_back({StepCost{}, modeled_memory_bytes(m, before), true});
  if (s.costs.size() < pos) s.costs.resize(pos);  // steps not recorded stay invalid
  if (s.costs.size() != pos || after.history().size() != pos) return;
  const Engine& e = after.engine();
  s.costs.push_back({step_cost(m, before, e, after.history().back().events), modeled_memory_bytes(m, e), true});
  s.cost += e.frames().total() / 8 + accounting_cost(e) / 4;  // the copy of `before`
}

void build_view(View& v, const script::Session& s, const StateUsage& usage, int only_process) {
  const Engine& e = s.engine();
  Shown old = shown_before(v, v.generation, s.position());
  v.session = &s;
  v.position = s.position();
  v.steps = s.step_count();
  v.error = s.error();
  v.procs = process_tree(e);
  v.line_step.assign(v.source.size() + 1, 0);
  for (const auto& st : s.script().statements)
    if (st.pos.line >= 1 && size_t(st.pos.line) < v.line_step.size()) v.line_step[st.pos.line] = st.step;
  fill_numbers(v, s, usage, std::move(old));
  build_page_states(v, e, only_process);
  v.rmap = ReverseMap{};
  v.texts = ProcTexts{};
  v.memory_now = modeled_memory_bytes(v.cost_model, e);
  describe_steps(v, s);
  v.valid = true;
}

void describe_steps(View& v, const script::Session& s) {
  const auto& history = s.history();
  if (v.events.size() < history.size()) v.events.resize(history.size());
  for (size_t k = 0; k < history.size() && k < v.position; ++k) {
    StepLines& sl = v.events[k];
    if (sl.built) continue;
    sl.lines.reserve(history[k].events.size());
    for (const Event& ev : history[k].events) sl.lines.push_back(s.engine().describe(ev));
    sl.built = true;
  }
}

void summarize_series(View& v) {
  constexpr size_t kPlotted = 12;
  const Series& s = v.series;
  std::vector<std::pair<uint32_t, ProcId>> peak;  // (peak rss, process)
  double max = 1;
  for (size_t k = 0; k < s.system.size(); ++k) {
    if (s.system[k].valid) max = std::max(max, double(s.system[k].sys.frames_used));
    const auto& pts = s.procs[k];
    if (peak.size() < pts.size()) {
      for (size_t p = peak.size(); p < pts.size(); ++p) peak.push_back({0, ProcId(p)});
    }
    for (size_t p = 0; p < pts.size(); ++p) peak[p].first = std::max(peak[p].first, pts[p].rss);
  }
  std::stable_sort(peak.begin(), peak.end(), [](auto& a, auto& b) { return a.first > b.first; });
  v.plotted.clear();
  for (size_t i = 0; i < peak.size() && i < kPlotted; ++i) {
    if (peak[i].first == 0 && i > 0) break;
    v.plotted.push_back(peak[i].second);
    max = std::max(max, double(peak[i].first));
  }
  std::sort(v.plotted.begin(), v.plotted.end());
  v.plot_max = max;
  v.summarized = s.system.size();
}

std::string statement_text(const View& v, size_t step) {
  if (v.session == nullptr || step == 0) return "";
  const auto& st = v.session->script().statements;
  if (step > st.size()) return "";
  int line = st[step - 1].pos.line;
  if (line < 1 || size_t(line) > v.source.size()) return "";
  return std::string(script::statement_source(v.source[line - 1], st[step - 1]));
}

}  // namespace cow::web
