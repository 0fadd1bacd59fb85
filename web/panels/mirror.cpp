// The mirrors' text (mirror.h).
#include "mirror.h"

#include <cstdio>

#include "engine/script/json.h"
#include "panels.h"

namespace cow::web {

namespace {

// The numbers an announcement reports when they move, in the order it names them: a
// field of SystemUsage or of Counters.
struct Announced {
  const char* name;
  uint64_t SystemUsage::*sys = nullptr;
  uint64_t Counters::*counter = nullptr;
  uint64_t of(const SysPoint& p) const { return sys ? p.sys.*sys : p.counters.*counter; }
};
const Announced kAnnounced[] = {
    {"frames used", &SystemUsage::frames_used},
    {"frames shared", &SystemUsage::frames_shared},
    {"frames private", &SystemUsage::frames_private},
    {"page cache frames", &SystemUsage::page_cache},
    {"shmem frames", &SystemUsage::shmem},
    {"faults", nullptr, &Counters::faults},
    {"COW copies", nullptr, &Counters::cow_copies},
    {"COW reuses", nullptr, &Counters::cow_reuses},
    {"zero fills", nullptr, &Counters::zero_fills},
    {"zero page maps", nullptr, &Counters::zero_page_maps},
    {"file maps", nullptr, &Counters::file_maps},
    {"PTEs copied", nullptr, &Counters::ptes_copied},
    {"THP faults", nullptr, &Counters::thp_faults},
    {"huge zero page maps", nullptr, &Counters::huge_zero_maps},
    {"huge PMDs copied", nullptr, &Counters::pmds_copied},
    {"THP splits", nullptr, &Counters::thp_splits},
    {"fork failures", nullptr, &Counters::fork_failures},
    {"OOM kills", nullptr, &Counters::oom_kills},
    {"segfaults", nullptr, &Counters::segfaults},
};
constexpr size_t kMaxChanges = 8;  // a screen reader reads the rest from the tables

void remember(const View& v, AnnounceMemory& m) {
  std::vector<uint64_t> now;
  for (const Announced& a : kAnnounced) now.push_back(a.of(v.now));  // the shown step's numbers
  // Compared with the step announced before, also across a reload (an edit in live mode
  // re-runs the script): what the visitor heard last is what "changed" starts from.
  m.has_before = !m.values.empty();
  if (m.has_before) m.before = std::move(m.values);
  m.values = std::move(now);
  m.generation = v.generation;
  m.position = v.position;
}

std::string changes(const AnnounceMemory& m) {
  std::string out;
  size_t n = 0, more = 0;
  for (size_t i = 0; i < m.values.size() && i < m.before.size(); ++i) {
    if (m.values[i] == m.before[i]) continue;
    if (n++ == kMaxChanges) {
      ++more;
      continue;
    }
    out += (out.empty() ? "" : ", ") + std::string(kAnnounced[i].name) + " " + std::to_string(m.before[i]) + " to " +
           std::to_string(m.values[i]);
  }
  if (n > kMaxChanges) out += " and " + std::to_string(n - kMaxChanges) + " more";
  return out.empty() ? "no count moved" : out;
}

std::string count_cell(double now, double prev, bool has_prev) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", now);
  std::string out = buf;
  if (has_prev && now != prev) {
    std::snprintf(buf, sizeof buf, " (%+.0f)", now - prev);
    out += buf;
  }
  return out;
}

std::string pss_cell(double now, double prev, bool has_prev) {
  std::string out = pss_text(now);
  if (has_prev && now != prev) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " (%+.2f)", now - prev);
    out += buf;
  }
  return out;
}

}  // namespace

std::string step_announcement(const View& v, bool veiled, const std::string& headline, AnnounceMemory& m) {
  if (v.session == nullptr || !v.valid || veiled) return headline;
  if (m.generation != v.generation || m.position != v.position) remember(v, m);
  std::string out = headline;
  if (v.position > 0) out += ". Ran: " + statement_text(v, v.position);
  if (m.has_before) out += ". Changed: " + changes(m);
  return out;
}

std::string processes_table_json(const View& v, bool veiled) {
  script::JsonWriter w;
  w.open('{');
  w.text("caption", veiled ? "Processes: hidden until you predict the numbers in the Quiz tab"
                           : "Processes, in pages (change since the last step in brackets)");
  w.key("columns");
  w.open('[');
  for (const char* c : {"process", "state", "Rss", "Pss", "Shared", "Private", "Anon", "File", "Shmem"}) w.item(c);
  w.close(']');
  w.key("rows");
  w.open('[');
  for (const ProcRow& r : veiled ? std::vector<ProcRow>{} : v.procs) {
    const ProcPoint &n = r.now, &p = r.prev;
    w.open('[');
    w.item(r.name + (r.thread ? " (thread)" : ""));
    w.item(to_string(r.state));
    w.item(count_cell(n.rss, p.rss, p.valid));
    w.item(pss_cell(n.pss, p.pss, p.valid));
    w.item(count_cell(n.shared, p.shared, p.valid));
    w.item(count_cell(n.priv, p.priv, p.valid));
    w.item(count_cell(n.anon, p.anon, p.valid));
    w.item(count_cell(n.file, p.file, p.valid));
    w.item(count_cell(n.shmem, p.shmem, p.valid));
    w.close(']');
  }
  w.close(']');
  w.close('}');
  return w.out;
}

std::string quiz_report(const QuizState& q, std::string& sent) {
  if (!q.active) {
    sent.clear();
    return "";
  }
  uint64_t answered = 0, correct = 0;
  for (int verdict : q.verdict) {
    answered += verdict != 0;
    correct += verdict > 0;
  }
  script::JsonWriter w;
  w.open('{');
  w.num("seed", q.quiz.seed);
  w.num("answered", answered);
  w.num("correct", correct);
  w.close('}');
  if (answered == 0 || w.out == sent) return "";
  sent = w.out;
  return sent;
}

}  // namespace cow::web
