// The JSON document of `cowlab run --json` (schema version 1), its optional members
// (per-page "pagemap", "page_tables", the "events" array), the page entry the web page's
// inspector shows, and json.h's string escaping. Built by hand so that native and WASM
// builds print the same bytes: integers, and Pss with four decimals. The metrics and
// their order come from the metric table (metrics.h).
#include <algorithm>
#include <string>

#include "engine/mm/explain.h"
#include "engine/mm/pagemap.h"
#include "json.h"
#include "metrics.h"
#include "session.h"

namespace cow::script {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += char(c);
    }
  }
  out += '"';
}

void JsonWriter::metric(const Metric& m, double v) { key(m.name), raw(format_metric(m, v)), fresh_ = false; }

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

namespace {

using Json = JsonWriter;

// The fields of `scope` that are read from a Usage (metrics.h), in table order.
void usage_fields(Json& j, const Usage& u, MetricScope scope) {
  for (const Metric& m : kMetrics)
    if (m.in_json(scope) && m.source == MetricSource::Usage) j.metric(m, metric_value(m, u));
}

// The machine's frame counts, then its event counters in an object of their own.
void system_fields(Json& j, const SystemUsage& s, const Counters& c) {
  j.key("system"), j.open('{');
  for (const Metric& m : kMetrics)
    if (m.in_json(MetricScope::System) && m.source == MetricSource::Machine) j.metric(m, metric_value(m, s, c));
  j.key("counters"), j.open('{');
  for (const Metric& m : kMetrics)
    if (m.in_json(MetricScope::System) && m.source == MetricSource::Counter) j.metric(m, metric_value(m, s, c));
  j.close('}');
  j.close('}');
}

// One page as the pagemap shows it (pagemap.h): the same members for --pagemap and for
// the web page's inspector.
void page_fields(Json& j, const PageEntry& pe) {
  j.num("page", pe.page);
  j.text("address", hex_address(pe.walk.address));
  j.flag("present", pe.present);
  j.key("walk"), j.open('[');
  for (uint16_t index : pe.walk.index) j.item(uint64_t(index));
  j.close(']');
  if (!pe.present) return;
  j.num("frame", pe.frame);
  j.flag("writable", pe.writable);
  j.flag("dirty", pe.dirty);
  j.flag("zero_page", pe.zero_page);
  j.text("kind", kind_name(pe));
  j.num("mapcount", pe.mapcount);
  j.flag("cow", pe.cow);
  if (pe.huge) j.flag("huge", true);  // a huge PMD maps the page's 2 MiB extent
}

void pagemap_member(Json& j, const Engine& e, ProcId p, NameId region) {
  j.key("pagemap"), j.open('[');
  for (const PageEntry& pe : pagemap(e, p, region)) {
    j.open('{');
    page_fields(j, pe);
    j.close('}');
  }
  j.close(']');
}

void regions(Json& j, const Engine& e, const UsageTable& usage, ProcId p, const JsonOptions& o) {
  j.key("regions"), j.open('[');
  const Process& t = e.processes()[p];
  if (t.live()) {
    const AddressSpace& as = e.address_spaces()[t.mm];
    for (uint32_t m : as.region_mappings()) {
      const Mapping& map = as.mappings[m];
      Usage u = usage.region(p, map.name);
      j.open('{');
      j.text("name", e.name(map.name));
      j.text("kind", map.backing == Backing::Anon ? "anon" : "file");
      j.text("mapping", map.share == Share::Private ? "private" : "shared");
      usage_fields(j, u, MetricScope::Region);
      if (o.pagemap) pagemap_member(j, e, p, map.name);
      j.close('}');
    }
  }
  j.close(']');
}

void page_tables_member(Json& j, const Engine& e, ProcId p) {
  const Process& t = e.processes()[p];
  PageTableCounts c = t.live() ? e.page_tables(t.mm) : PageTableCounts{};
  j.key("page_tables"), j.open('{');
  j.num("pud", c.pud), j.num("pmd", c.pmd), j.num("pte", c.pte);
  j.close('}');
}

void process(Json& j, const Engine& e, const UsageTable& usage, ProcId p, const JsonOptions& o) {
  const Process& t = e.processes()[p];
  j.open('{');
  j.text("name", t.name);
  j.num("pid", t.pid);
  j.num("ppid", e.ppid(p));
  j.num("minflt", e.min_flt(p));
  if (t.parent == kNone) j.literal("parent", "null"); else j.text("parent", e.processes()[t.parent].name);
  if (t.is_thread(p)) j.text("thread_of", e.processes()[t.leader].name);
  j.text("state", to_string(t.state));
  j.num("mm", t.mm + 1);
  usage_fields(j, usage.process(p), MetricScope::Process);
  if (o.pagemap) page_tables_member(j, e, p);
  regions(j, e, usage, p, o);
  j.close('}');
}

void pte_member(Json& j, std::string_view key, Pte x) {
  j.key(key), j.open('{');
  j.flag("present", pte::present(x));
  if (pte::present(x)) {
    j.num("frame", pte::frame(x));
    j.flag("writable", pte::writable(x));
    j.flag("dirty", pte::dirty(x));
    j.flag("zero_page", pte::frame(x) == Frames::kZeroPage);
  }
  j.close('}');
}

void name_or_null(Json& j, std::string_view key, const std::string* name) {
  if (name) j.text(key, *name); else j.literal(key, "null");
}

const std::string* proc_name(const Engine& e, ProcId p) {
  return p < e.processes().size() ? &e.processes()[p].name : nullptr;
}

// The members of a page access: handlers, reason, PTE and mapcount before and after.
void access_fields(Json& j, const Engine& e, const Event& ev) {
  j.key("path"), j.open('[');
  for (uint32_t i = 0; i < ev.path.size(); ++i) j.item(to_string(ev.path[i]));
  j.close(']');
  j.text("reason", reason_text(e, ev));
  pte_member(j, "pte_before", ev.pte_before);
  pte_member(j, "pte_after", ev.pte_after);
  j.num("mapcount_before", ev.mapcount_before);
  j.num("mapcount_after", ev.mapcount_after);
  if (ev.kind == EventKind::FileMap) {
    j.key("fault_around"), j.open('{');
    j.num("first_page", ev.page - ev.around_before), j.num("pages", ev.around_pages), j.num("mapped", ev.count);
    j.close('}');
  }
  if (ev.kind == EventKind::ReadSees) name_or_null(j, "sees", ev.count ? proc_name(e, ev.count - 1) : nullptr);
}

void fork_vma_fields(Json& j, const Engine& e, const Event& ev) {
  name_or_null(j, "child", proc_name(e, ev.other));
  j.text("decision", to_string(ev.decision));
  j.text("reason", reason_text(e, ev));
  j.num("ptes_copied", ev.count);
  j.num("write_protected", ev.write_protected);
  j.num("frames_copied", ev.frames_copied);
  if (ev.pmds_copied) j.num("pmds_copied", ev.pmds_copied);
  j.key("page_tables"), j.open('{');
  j.num("pud", ev.tables.pud), j.num("pmd", ev.tables.pmd), j.num("pte", ev.tables.pte);
  j.close('}');
}

void event(Json& j, const Engine& e, const StepRecord& rec, const Event& ev) {
  j.open('{');
  j.num("step", rec.step);
  j.num("line", rec.line);
  j.text("kind", to_string(ev.kind));
  name_or_null(j, "process", proc_name(e, ev.proc));
  name_or_null(j, "region", ev.region < e.name_count() ? &e.name(ev.region) : nullptr);
  j.num("first_page", ev.page);
  j.num("pages", ev.pages);
  if (ev.is_page_access()) {
    access_fields(j, e, ev);
  } else if (ev.kind == EventKind::ForkVma) {
    fork_vma_fields(j, e, ev);
  } else {
    j.num("count", ev.count);
    if (ev.frame != kNone) j.num("frame", ev.frame);
    name_or_null(j, "other", ev.other != kNone ? proc_name(e, ev.other) : nullptr);
  }
  j.text("text", explain(e, ev));
  j.close('}');
}

}  // namespace

std::string state_json(const Session& s, const JsonOptions& o) { return state_json(s, UsageTable(s.engine()), o); }

std::string state_json(const Session& s, const UsageTable& usage, const JsonOptions& o) {
  const Engine& e = s.engine();
  Json j;
  j.open('{');
  j.num("version", 1);
  j.num("page_size", kPageSize);
  j.num("step", s.position());
  j.num("steps", s.step_count());
  system_fields(j, usage.system(), e.counters());
  j.key("processes"), j.open('[');
  for (ProcId p = 0; p < e.processes().size(); ++p) process(j, e, usage, p, o);
  j.close(']');
  j.key("expects"), j.open('[');
  for (const ExpectOutcome& x : s.expects()) {
    j.open('{');
    j.num("line", x.line);
    j.literal("ok", x.ok ? "true" : "false");
    j.text("message", x.message);
    j.close('}');
  }
  j.close(']');
  if (s.error()) {
    j.key("error"), j.open('{');
    j.num("line", s.error()->pos.line), j.num("col", s.error()->pos.col);
    j.text("message", s.error()->message);
    j.close('}');
  }
  if (o.events) {
    j.key("events"), j.open('[');
    for (const StepRecord& rec : s.history())
      for (const Event& ev : rec.events) event(j, e, rec, ev);
    j.close(']');
  }
  j.close('}');
  return j.out;
}

std::string page_json(const Session& s, std::string_view process, std::string_view region, uint32_t page,
                      Explain explain) {
  const Engine& e = s.engine();
  Json j;
  j.open('{');
  ProcId p = e.find_process(process);
  NameId r = e.find_name(region);
  std::optional<PageEntry> pe;
  if (p != kNone && r != kNone) pe = page_entry(e, p, r, page);
  if (!pe) {
    std::string why = p == kNone   ? "unknown process '" + std::string(process) + "'"
                      : r == kNone ? "unknown region '" + std::string(region) + "'"
                                   : "'" + std::string(process) + "' does not map " + std::string(region) + "[" +
                                         std::to_string(page) + "]";
    j.text("error", why);
  } else {
    page_fields(j, *pe);
    if (explain == Explain::Yes) {
      const Event* last = s.last_page_event(e.processes()[p].mm, r, page);
      j.text("explain", explain_page(e, p, r, *pe, last));
    }
  }
  j.close('}');
  return j.out;
}

}  // namespace cow::script
