// The inspector: what the kernel's structures say about one page, frame or event, opened
// by a click on a page-map cell, a physical-memory cell or an event line. It shows the
// four-level walk (PGD, PUD, PMD, PTE) with its indices and which tables exist, the PTE's
// bits, the frame with its kind, mapcount and mappers, and for a fault the decisions the
// handlers took (present? write? private? reusable?) with the PTE and mapcount before and
// after. The page-table window lists each address space's tables level by level, so a
// fork's child shows its new tables beside the parent's. Everything drawn comes from the
// View's Inspection and TableView (inspect_view.cpp), looked up once per step.
#include <algorithm>
#include <cstdio>

#include "panels.h"

namespace cow::web {

namespace {

constexpr float kBoxW = 72, kWideBoxW = 96, kBoxH = 40, kGap = 14;

ImVec4 color4(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

// A labelled box of the diagrams at the cursor, `lit` drawn in the highlight colour;
// advances the cursor past it (on the same line).
void box(const char* top, const char* bottom, bool lit, bool missing, const Palette& pal, float width = kBoxW) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 a = ImGui::GetCursorScreenPos(), b(a.x + width, a.y + kBoxH);
  ImU32 border = missing ? pal.dirty : lit ? pal.highlight : pal.grid;
  if (lit) dl->AddRectFilled(a, b, pal.current_line, 4);
  dl->AddRect(a, b, border, 4, 0, lit ? 2.0f : 1.0f);
  ImU32 text = lit || missing ? ImGui::GetColorU32(ImGuiCol_Text) : pal.text_dim;
  float lh = ImGui::GetTextLineHeight();
  auto centred = [&](const char* s, float y) {
    float w = ImGui::CalcTextSize(s).x;
    dl->PushClipRect(a, b, true);
    dl->AddText(ImVec2(a.x + std::max(3.0f, (width - w) / 2), y), text, s);
    dl->PopClipRect();
  };
  centred(top, a.y + 4);
  centred(bottom, a.y + 6 + lh);
  ImGui::Dummy(ImVec2(width, kBoxH));
}

// An arrow from the last box to the next, with a label above it.
void arrow(const char* label, bool lit, const Palette& pal) {
  ImGui::SameLine(0, 0);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 a = ImGui::GetCursorScreenPos();
  float y = a.y + kBoxH / 2, x1 = a.x + kGap - 2;
  ImU32 c = lit ? pal.highlight : pal.text_dim;
  dl->AddLine(ImVec2(a.x + 2, y), ImVec2(x1, y), c, lit ? 2.0f : 1.0f);
  dl->AddTriangleFilled(ImVec2(x1, y), ImVec2(x1 - 5, y - 4), ImVec2(x1 - 5, y + 4), c);
  if (label && *label) dl->AddText(ImVec2(a.x + 1, y - ImGui::GetTextLineHeight() - 1), c, label);
  ImGui::Dummy(ImVec2(kGap, kBoxH));
  ImGui::SameLine(0, 0);
}

// Starts a new row of boxes when the next one would not fit.
void wrap_row(float width = kBoxW) {
  float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetCursorScreenPos().x + width > right) ImGui::NewLine();
}

// The default font has no arrow: " → " of the engine's sentences drawn as " -> ".
std::string drawable(std::string s) {
  for (size_t at = s.find("\xe2\x86\x92"); at != std::string::npos; at = s.find("\xe2\x86\x92", at))
    s.replace(at, 3, "->");
  return s;
}

void wrapped(const std::string& s) { ImGui::TextWrapped("%s", drawable(s).c_str()); }

// Under a huge PMD (pe.huge) the walk ends at the PMD, drawn as the huge entry.
void draw_walk(const PageEntry& pe, const Palette& pal) {
  const Walk& w = pe.walk;
  ImGui::TextUnformatted("Page walk");
  int levels = pe.huge ? int(Level::Pmd) + 1 : kLevels;
  for (int l = 0; l < levels; ++l) {
    char index[32];
    bool exists = w.table[size_t(l)];
    std::snprintf(index, sizeof index, "[%u]%s", unsigned(w.index[size_t(l)]), exists ? "" : " none");
    if (l) arrow("", exists, pal);
    wrap_row();
    bool huge_pmd = pe.huge && l == int(Level::Pmd);
    box(huge_pmd ? "huge PMD" : level_name(Level(l)), index, exists, !exists, pal);
  }
  if (pe.huge)
    ImGui::TextDisabled("huge PMD: %s; no PTE table is used", pe.zero_page ? "huge zero page" : "2 MiB folio");
  ImGui::TextDisabled("index into each table; \"none\": that table does not exist");
}

// P, W, D and COW as chips: filled when set.
void draw_bits(const PageEntry& pe, const Palette& pal) {
  struct Bit {
    const char* name;
    bool set;
    const char* tip;
  } bits[] = {
      {"P", pe.present, "present: the PTE maps a frame"},
      {"W", pe.present && pe.writable, "writable: a write goes through without a fault"},
      {"D", pe.present && pe.dirty, "dirty: written since it was mapped"},
      {"COW", pe.cow, "present, read-only, in a private VMA that allows writes: a write faults and copies "
                      "or reuses (in a read-only VMA a write is SIGSEGV, not COW)"},
  };
  ImGui::TextUnformatted("PTE bits");
  for (const Bit& b : bits) {
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Button, b.set ? color4(pal.highlight) : color4(pal.absent));
    ImGui::PushStyleColor(ImGuiCol_Text, b.set ? ImVec4(0, 0, 0, 1) : color4(pal.text_dim));
    ImGui::SmallButton(b.name);
    ImGui::PopStyleColor(2);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s: %s", b.set ? "set" : "clear", b.tip);
  }
}

void draw_page(const PageFacts& f, const Palette& pal) {
  const PageEntry& pe = f.entry;
  ImGui::Text("%s %s[%u]  at %s", f.proc.c_str(), f.region.c_str(), pe.page, hex_address(pe.walk.address).c_str());
  draw_walk(pe, pal);
  draw_bits(pe, pal);
  if (!pe.present) {
    ImGui::TextUnformatted("Frame: none (not present)");
  } else if (pe.zero_page) {
    ImGui::TextWrapped("Frame: the zero page, one read-only frame of zeros (never counted in mapcount, Rss or Pss)");
  } else {
    ImGui::Text("Frame %u: %s, mapcount %u%s", pe.frame, kind_name(pe), pe.mapcount, f.frame.dirty ? ", dirty" : "");
    std::string who;
    for (const std::string& m : f.mappers) who += (who.empty() ? "" : ", ") + m;
    if (f.more_mappers) who += " and " + std::to_string(f.more_mappers) + " more";
    if (!who.empty()) ImGui::TextWrapped("Mapped by %s", who.c_str());
  }
  ImGui::PushStyleColor(ImGuiCol_Text, color4(pal.text_dim));
  wrapped(f.explain);
  ImGui::PopStyleColor();
}

// The fault handlers' questions in order, the answers highlighted, then the handler the
// fault ended in.
void draw_decisions(const Event& ev, const FaultDecisions& d, const Palette& pal) {
  struct Q {
    const char* question;
    Answer a;
  } qs[] = {{"present?", d.present}, {"write?", d.write}, {"private?", d.private_mapping}, {"reusable?", d.reusable}};
  ImGui::TextUnformatted("Decisions");
  bool first = true;
  for (const Q& q : qs) {
    if (q.a == Answer::NotAsked) continue;
    if (!first) arrow(nullptr, true, pal);
    first = false;
    wrap_row();
    bool yes = q.a == Answer::Yes;
    box(q.question, yes ? "yes" : "no", true, false, pal);
  }
  if (ev.path.size() > 0) {
    // Wide enough for the longest handler names (do_huge_pmd_anonymous_page).
    const char* last = to_string(ev.path.last());
    float w = std::max(kWideBoxW, ImGui::CalcTextSize(last).x + 8);
    arrow(nullptr, true, pal);
    wrap_row(w);
    box(last, to_string(ev.kind), true, false, pal, w);
  }
  wrapped("Handlers: " + path_text(ev.path));
}

void draw_before_after(const Event& ev) {
  if (!ImGui::BeginTable("##beforeafter", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) return;
  ImGui::TableSetupColumn("");
  ImGui::TableSetupColumn("before");
  ImGui::TableSetupColumn("after");
  ImGui::TableHeadersRow();
  auto row = [](const char* what, const std::string& before, const std::string& after) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn(), ImGui::TextUnformatted(what);
    ImGui::TableNextColumn(), ImGui::TextUnformatted(before.c_str());
    ImGui::TableNextColumn(), ImGui::TextUnformatted(after.c_str());
  };
  auto frame = [](Pte p) { return pte::present(p) ? frames_text(pte::frame(p), 1) : std::string("none"); };
  row("PTE", pte_text(ev.pte_before, 1), pte_text(ev.pte_after, 1));
  row("frame", frame(ev.pte_before), frame(ev.pte_after));
  row("mapcount", std::to_string(ev.mapcount_before), std::to_string(ev.mapcount_after));
  ImGui::EndTable();
}

void draw_event(const Inspection& in, UiState& ui, const Palette& pal) {
  const Event& ev = *in.event;
  ImGui::Text("Step %zu: %s", in.target.step, to_string(ev.kind));
  wrapped(in.story);
  if (in.story != in.sentence) {
    ImGui::PushStyleColor(ImGuiCol_Text, color4(pal.text_dim));
    wrapped(in.sentence);
    ImGui::PopStyleColor();
  }
  if (ev.is_fault()) {
    draw_decisions(ev, in.decisions, pal);
    draw_before_after(ev);
  }
  for (const std::string& line : in.fork_lines) {
    ImGui::Bullet();
    wrapped(line);
  }
  if (!in.fork_lines.empty() && ImGui::Button("Page tables of parent and child")) ui.inspector.show_tables = true;
  ImGui::Separator();
}

const char* title(const Inspection& in) {
  switch (in.target.kind) {
    case InspectKind::Page: return "Page";
    case InspectKind::Frame: return "Frame";
    case InspectKind::Event: return "Event";
    case InspectKind::None: break;
  }
  return "";
}

// Places a floating window the first time it shows (or when asked to).
void place_window(float x, float w, float h_share) {
  ImGuiCond cond = ImGuiCond_Appearing;
  ImVec2 d = ImGui::GetIO().DisplaySize;
  float top = ImGui::GetFrameHeight() + 4;
  ImGui::SetNextWindowPos(ImVec2(std::max(0.0f, x), top), cond);
  ImGui::SetNextWindowSize(ImVec2(std::min(w, d.x), std::max(200.0f, (d.y - top) * h_share)), cond);
}

// Tables of one level of one address space, a line each (the first few).
void level_lines(const TableView::Space& sp, Level level, const Engine& e) {
  constexpr int kShown = 24;
  int n = 0, shown = 0;
  uint64_t entries = 0;
  for (const TableInfo& t : sp.tables)
    if (t.level == level) ++n, entries += t.entries;
  ImGui::Text("%s: %d table%s, %llu used", level_name(level), n, n == 1 ? "" : "s", (unsigned long long)entries);
  for (const TableInfo& t : sp.tables) {
    if (t.level != level || level == Level::Pgd) continue;
    if (shown++ == kShown) {
      ImGui::TextDisabled("   ... %d more", n - kShown);
      break;
    }
    std::string owner = t.region < e.name_count() ? e.name(t.region) + " " : "";
    ImGui::TextDisabled("   %s%s: %u", owner.c_str(), hex_address(t.address).c_str(), t.entries);
  }
}

// One column per address space, side by side: a fork's child beside its parent.
void draw_spaces(const TableView& tv, const Engine& e) {
  constexpr size_t kColumns = 64;  // ImGui's tables take up to 64 columns
  size_t n = std::min(tv.spaces.size(), kColumns);
  if (!ImGui::BeginTable("##spaces", int(n), ImGuiTableFlags_Borders | ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY))
    return;
  for (size_t i = 0; i < n; ++i) ImGui::TableSetupColumn(tv.spaces[i].names.c_str(), ImGuiTableColumnFlags_WidthFixed, 190);
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableHeadersRow();
  ImGui::TableNextRow();
  for (size_t i = 0; i < n; ++i) {
    ImGui::TableNextColumn();
    for (int l = 0; l < kLevels; ++l) level_lines(tv.spaces[i], Level(l), e);
  }
  ImGui::EndTable();
}

}  // namespace

void inspect(UiState& ui, InspectTarget t) {
  ui.inspector.target = std::move(t);
  ui.inspector.open = true;
}

void draw_inspector_window(const View& v, UiState& ui) {
  if (!ui.inspector.open) return;
  const Palette& pal = palette(ui.options.dark);
  float w = 470;
  place_window(ImGui::GetIO().DisplaySize.x - w - 8, w, 0.9f);
  const Inspection& in = v.inspection;
  if (ImGui::Begin("Inspector", &ui.inspector.open, ImGuiWindowFlags_NoSavedSettings)) {
    record_rect(ui, "inspector");
    if (!draw_veil(ui)) {
      if (in.target.kind == InspectKind::None) {
        ImGui::TextWrapped("Click a page in the page map, a frame in physical memory or an event line to see "
                           "its page walk, PTE bits, frame and what the fault handlers decided.");
      } else {
        ImGui::TextDisabled("%s, at step %zu", title(in), v.position);
        ImGui::SameLine();
        if (ImGui::SmallButton("Page tables")) ui.inspector.show_tables = !ui.inspector.show_tables;
        if (in.event) draw_event(in, ui, pal);
        if (in.event && in.page) ImGui::TextDisabled("The page now:");
        if (in.page) draw_page(*in.page, pal);
        else if (!in.missing.empty()) ImGui::TextWrapped("%s", in.missing.c_str());
      }
    }
  }
  ImGui::End();
}

void draw_page_tables_window(const View& v, UiState& ui) {
  if (!ui.inspector.show_tables || v.session == nullptr) return;
  float w = 430, right = ui.inspector.open ? 470 + 16 : 8;
  place_window(ImGui::GetIO().DisplaySize.x - right - w, w, 0.5f);
  if (ImGui::Begin("Page tables", &ui.inspector.show_tables, ImGuiWindowFlags_NoSavedSettings)) {
    record_rect(ui, "page_tables");
    const TableView& tv = v.tables;
    const Engine& e = v.session->engine();
    if (!draw_veil(ui)) {
      ImGui::TextWrapped("Each address space has its own tables, 512 entries each; \"used\": entries in use, "
                         "per level and per table (by the address it starts at). fork gives the child tables of "
                         "its own that point at the parent's frames (VmPTE is their size).");
      if (tv.spaces.empty()) ImGui::TextDisabled("no live address space");
      else draw_spaces(tv, e);
    }
  }
  ImGui::End();
}

}  // namespace cow::web
