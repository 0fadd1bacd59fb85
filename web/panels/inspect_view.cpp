// The inspector's data (panels.h: Inspection, TableView), looked up for the one page,
// frame or event inspected, once per change of target or position: the engine's pagemap
// entry and page walk (engine/mm/pagemap.h, page_walk.h), its sentences
// (engine/mm/explain.h), and who maps a frame from the View's reverse map. Also the
// plain-text mirror of all of it, for the page's #cowlab-inspect.
#include <cstdio>

#include "panels.h"

namespace cow::web {

namespace {

std::string page_label(const std::string& proc, const std::string& region, uint32_t page) {
  return proc + " " + region + "[" + std::to_string(page) + "]";
}

// The tasks that map the page's frame, as the reverse map has them.
void fill_mappers(const View& v, PageFacts& f) {
  const ReverseMap& rm = v.rmap;
  FrameId fr = f.entry.frame;
  if (!f.entry.present || f.entry.zero_page || !rm.built || fr >= rm.kept.size()) return;
  const auto& procs = v.session->engine().processes();
  for (int i = 0; i < rm.kept[fr]; ++i) {
    const ReverseMap::Ref& r = rm.refs[size_t(fr) * ReverseMap::kKept + i];
    if (r.proc >= procs.size()) continue;
    MmId mm = procs[r.proc].mm;
    if (mm >= v.mms.size() || r.region >= v.mms[mm].regions.size()) continue;
    f.mappers.push_back(page_label(procs[r.proc].name, v.mms[mm].regions[r.region].name, r.page));
  }
  f.more_mappers = f.entry.mapcount > f.mappers.size() ? f.entry.mapcount - uint32_t(f.mappers.size()) : 0;
}

std::optional<PageFacts> page_facts(const View& v, const script::Session& s, ProcId p, const std::string& region,
                                    uint32_t page) {
  const Engine& e = s.engine();
  NameId r = e.find_name(region);
  if (p >= e.processes().size() || r == kNone) return std::nullopt;
  std::optional<PageEntry> pe = page_entry(e, p, r, page);
  if (!pe) return std::nullopt;
  PageFacts f{.proc = e.processes()[p].name, .region = region, .entry = *pe};
  if (pe->present && !pe->zero_page && pe->frame < e.frames().total()) f.frame = e.frames()[pe->frame];
  fill_mappers(v, f);
  f.explain = explain_page(e, p, r, *pe, s.last_page_event(e.processes()[p].mm, r, page));
  return f;
}

// The events of a fork: its per-VMA decisions, from the step that holds `ev`.
void fork_lines(const Engine& e, const script::StepRecord& rec, const Event& ev, std::vector<std::string>& out) {
  for (const Event& x : rec.events)
    if (x.kind == EventKind::ForkVma && x.other == ev.other) out.push_back(explain(e, x));
}

void event_facts(const View& v, const script::Session& s, Inspection& in) {
  const InspectTarget& t = in.target;
  const auto& history = s.history();
  if (t.step == 0 || t.step > history.size() || t.step > s.position() || t.event >= history[t.step - 1].events.size()) {
    in.missing = "this event is after the current step";
    return;
  }
  const Engine& e = s.engine();
  const script::StepRecord& rec = history[t.step - 1];
  const Event& ev = rec.events[t.event];
  in.event = ev;
  in.story = story(e, ev);
  in.sentence = explain(e, ev);
  in.decisions = fault_decisions(e, ev);
  if (ev.kind == EventKind::Fork || ev.kind == EventKind::ForkVma) fork_lines(e, rec, ev, in.fork_lines);
  if (ev.is_page_access() && ev.region < e.name_count()) {
    in.page = page_facts(v, s, ev.proc, e.name(ev.region), ev.page);
    if (!in.page) in.missing = "the page is no longer mapped";
  }
  // A fork: the first page whose PTE it copied, as the child has it now.
  for (const Event& x : rec.events) {
    bool ours = ev.kind == EventKind::ForkVma ? &x == &ev : ev.kind == EventKind::Fork && x.kind == EventKind::ForkVma;
    if (ours && x.other == ev.other && x.decision == ForkDecision::CopyPtes && x.region < e.name_count()) {
      in.page = page_facts(v, s, x.other, e.name(x.region), x.page);
      break;
    }
  }
}

void frame_facts(const View& v, const script::Session& s, Inspection& in) {
  const Engine& e = s.engine();
  FrameId f = in.target.frame;
  if (f >= e.frames().total()) {
    in.missing = "frame " + std::to_string(f) + " is free";
    return;
  }
  const ReverseMap& rm = v.rmap;
  if (rm.built && f < rm.kept.size() && rm.kept[f] > 0) {
    const ReverseMap::Ref& r = rm.refs[size_t(f) * ReverseMap::kKept];
    MmId mm = r.proc < e.processes().size() ? e.processes()[r.proc].mm : kNone;
    if (mm < v.mms.size() && r.region < v.mms[mm].regions.size())
      in.page = page_facts(v, s, r.proc, v.mms[mm].regions[r.region].name, r.page);
  }
  if (!in.page) {
    const Frame& fr = e.frames()[f];
    in.missing = "frame " + std::to_string(f) + ": " +
                 (fr.kind == FrameKind::Free ? std::string("free")
                                             : "no page table maps it (mapcount " + std::to_string(fr.mapcount) + ")");
  }
}

const char* answer_text(Answer a) {
  return a == Answer::Yes ? "yes" : a == Answer::No ? "no" : "not asked";
}

std::string walk_text(const PageEntry& pe) {
  const Walk& w = pe.walk;
  std::string s = "walk";
  // Under a huge PMD the walk ends at the PMD: no PTE table is used.
  int levels = pe.huge ? int(Level::Pmd) + 1 : kLevels;
  for (int l = 0; l < levels; ++l) {
    s += std::string(l ? ", " : " ") + level_name(Level(l)) + " index " + std::to_string(w.index[size_t(l)]);
    s += w.table[size_t(l)] ? "" : " (no table)";
  }
  if (pe.huge) s += pe.zero_page ? " (huge PMD: huge zero page)" : " (huge PMD: 2 MiB folio)";
  return s;
}

std::string page_text(const PageFacts& f) {
  const PageEntry& pe = f.entry;
  std::string s = page_label(f.proc, f.region, pe.page) + " at " + hex_address(pe.walk.address) + ": " +
                  walk_text(pe) + ". ";
  char bits[96];
  std::snprintf(bits, sizeof bits, "PTE bits: P=%d W=%d D=%d COW=%s. ", pe.present, pe.writable, pe.dirty,
                pe.cow ? "yes" : "no");
  s += bits;
  if (pe.present && pe.zero_page) s += "The zero page (never counted). ";
  if (pe.present && !pe.zero_page) {
    s += "Frame " + std::to_string(pe.frame) + ": " + kind_name(pe) + ", mapcount " + std::to_string(pe.mapcount);
    for (size_t i = 0; i < f.mappers.size(); ++i) s += (i ? ", " : ", mapped by ") + f.mappers[i];
    if (f.more_mappers) s += " and " + std::to_string(f.more_mappers) + " more";
    s += ". ";
  }
  return s + f.explain;
}

std::string event_text(const Inspection& in) {
  const Event& ev = *in.event;
  std::string s = "Step " + std::to_string(in.target.step) + ": " + in.story;
  if (in.story != in.sentence) s += " In the kernel's terms: " + in.sentence + ".";
  if (ev.is_fault()) {
    const FaultDecisions& d = in.decisions;
    s += std::string(" Handlers: ") + path_text(ev.path) + ". Present? " + answer_text(d.present) + "; write? " +
         answer_text(d.write) + "; private? " + answer_text(d.private_mapping) + "; reusable? " +
         answer_text(d.reusable) + ".";
    s += " PTE before: " + pte_text(ev.pte_before, 1) + ", mapcount " + std::to_string(ev.mapcount_before) +
         "; after: " + pte_text(ev.pte_after, 1) + ", mapcount " + std::to_string(ev.mapcount_after) + ".";
  }
  for (const std::string& line : in.fork_lines) s += " " + line + ".";
  return s;
}

}  // namespace

void build_inspection(View& v, const script::Session& s, const InspectTarget& target) {
  Inspection& in = v.inspection;
  in = Inspection{.built = true, .target = target, .generation = v.generation, .position = v.position};
  switch (target.kind) {
    case InspectKind::None: return;
    case InspectKind::Page:
      in.page = page_facts(v, s, target.proc, target.region, target.page);
      if (!in.page) in.missing = "the page is not mapped now";
      break;
    case InspectKind::Frame: frame_facts(v, s, in); break;
    case InspectKind::Event: event_facts(v, s, in); break;
  }
  if (in.event) in.text = event_text(in) + " ";
  if (in.page) in.text += "Now: " + page_text(*in.page);
  else if (!in.missing.empty()) in.text += in.missing + ".";
}

void build_table_view(View& v, const script::Session& s) {
  TableView& tv = v.tables;
  tv = TableView{.built = true, .generation = v.generation, .position = v.position};
  const Engine& e = s.engine();
  std::vector<int> space_of(e.address_spaces().size(), -1);
  for (const ProcRow& row : v.procs) {
    bool live = row.state == ProcState::Running || row.state == ProcState::Suspended;
    if (!live || row.mm >= space_of.size()) continue;
    if (space_of[row.mm] >= 0) {
      tv.spaces[size_t(space_of[row.mm])].names += " (" + row.name + ")";
      continue;
    }
    space_of[row.mm] = int(tv.spaces.size());
    tv.spaces.push_back({row.name, row.id, PageTables(e.address_spaces()[row.mm]).tables()});
  }
}

}  // namespace cow::web
