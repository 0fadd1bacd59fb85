// Panel 3, processes: the parent -> child tree with each task's state, and per task Rss,
// Pss, Shared, Private and Anon/File/Shmem as numbers (with their change since the last
// step) and as a stacked bar; every header and bar explains itself on hover (glossary).
// Clicking a name filters the page map to that process.
#include <algorithm>
#include <cstdio>
#include <string>

#include "panels.h"

namespace cow::web {

namespace {

enum Col { Name, State, Rss, Pss, Shared, Private, Anon, FileCol, Shmem, Bar, kCols };

// While predict-then-reveal veils the numbers, `ref` is the process at the last revealed
// bookmark (null: unknown there, every number veiled): a number that differs reads "?".
void number_cell(const Palette& pal, double now, double prev, bool has_prev, const UiState& ui,
                 const double* ref, bool pss = false) {
  if (ui.quiz.veiled && (ref == nullptr || *ref != now)) {
    ImGui::TextUnformatted("?");
    return;
  }
  if (pss) ImGui::TextUnformatted(pss_text(now).c_str());
  else ImGui::Text("%.0f", now);
  if (has_prev && !ui.quiz.veiled) delta_badge(pal, now - prev, pss);
}

// The process's numbers at the last revealed bookmark, when recorded there.
const ProcPoint* veil_ref(const View& v, const UiState& ui, ProcId id) {
  size_t from = ui.quiz.veil_from;
  if (!ui.quiz.veiled || from >= v.series.procs.size() || id >= v.series.procs[from].size()) return nullptr;
  const ProcPoint& p = v.series.procs[from][id];
  return p.valid ? &p : nullptr;
}

// Top half: shared | private; bottom half: anon | file | shmem; width ~ Rss. Hover: the
// sums it draws, in pages.
void stacked_bar(const ProcPoint& p, uint32_t max_rss, const Palette& pal) {
  float full = ImGui::GetContentRegionAvail().x, h = ImGui::GetTextLineHeight();
  ImVec2 o = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(full, h));
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Rss %u pages\ntop:    Shared %u (mapcount >= 2) | Private %u (mapcount 1)\n"
                      "bottom: Anon %u | File %u | Shmem %u",
                      p.rss, p.shared, p.priv, p.anon, p.file, p.shmem);
  if (p.rss == 0 || max_rss == 0) return;
  float w = std::max(2.0f, full * float(p.rss) / float(max_rss));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  auto segs = [&](float y0, float y1, std::initializer_list<std::pair<uint32_t, ImU32>> parts) {
    float x = o.x, total = 0;
    for (auto& [n, c] : parts) total += float(n);
    if (total <= 0) return;
    for (auto& [n, c] : parts) {
      float dx = w * float(n) / total;
      if (dx > 0) dl->AddRectFilled(ImVec2(x, y0), ImVec2(x + dx, y1), c);
      x += dx;
    }
  };
  float mid = o.y + h * 0.5f;
  segs(o.y + 1, mid, {{p.shared, pal.shared[4]}, {p.priv, pal.priv}});
  segs(mid + 1, o.y + h, {{p.anon, pal.series[5]}, {p.file, pal.file[1]}, {p.shmem, pal.shmem[1]}});
}

void name_cell(const ProcRow& r, UiState& ui, const Palette& pal) {
  float indent = float(r.depth) * ImGui::GetFontSize();
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent);
  ImVec2 p = ImGui::GetCursorScreenPos();
  float h = ImGui::GetTextLineHeight();
  if (r.depth > 0) {  // an elbow from the parent
    ImDrawList* dl = ImGui::GetWindowDrawList();
    float x = p.x - ImGui::GetFontSize() * 0.6f;
    dl->AddLine(ImVec2(x, p.y - 2), ImVec2(x, p.y + h * 0.5f), pal.grid);
    dl->AddLine(ImVec2(x, p.y + h * 0.5f), ImVec2(p.x - 2, p.y + h * 0.5f), pal.grid);
  }
  ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 3), ImVec2(p.x + 4, p.y + h - 2),
                                            process_color(r.id, pal));
  ImGui::SetCursorScreenPos(ImVec2(p.x + 7, p.y));
  char label[96];
  std::snprintf(label, sizeof label, "%s%s##proc%u", r.name.c_str(), r.thread ? " (thread)" : "", r.id);
  bool selected = ui.page_map.only_process == int(r.id);
  if (ImGui::Selectable(label, selected, ImGuiSelectableFlags_SpanAllColumns))
    ui.page_map.only_process = selected ? -1 : int(r.id);
  if (ImGui::IsItemHovered()) {
    ui.hover_next = int(r.id);
    ImGui::SetTooltip("pid %u%s\nclick: show only its pages in the page map", r.pid,
                      r.thread ? ", a thread: shares its leader's address space" : "");
  }
}

void state_cell(const ProcRow& r, const Palette& pal) {
  ImU32 c = r.state == ProcState::Killed ? pal.dirty : r.state == ProcState::Running ? 0 : pal.text_dim;
  if (c) ImGui::PushStyleColor(ImGuiCol_Text, c);
  ImGui::TextUnformatted(to_string(r.state));
  if (c) ImGui::PopStyleColor();
}

void draw_row(const View& v, const ProcRow& r, uint32_t max_rss, UiState& ui, const Palette& pal) {
  const ProcPoint &n = r.now, &p = r.prev;
  bool hp = p.valid;
  const ProcPoint* ref = veil_ref(v, ui, r.id);
  ProcPoint z = ref ? *ref : ProcPoint{};
  const double at[7] = {double(z.rss), z.pss, double(z.shared), double(z.priv), double(z.anon), double(z.file),
                        double(z.shmem)};
  auto was = [&](int i) { return ref ? &at[i] : nullptr; };
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(Name);
  name_cell(r, ui, pal);
  ImGui::TableSetColumnIndex(State);
  state_cell(r, pal);
  ImGui::TableSetColumnIndex(Rss);
  number_cell(pal, n.rss, p.rss, hp, ui, was(0));
  ImGui::TableSetColumnIndex(Pss);
  number_cell(pal, n.pss, p.pss, hp, ui, was(1), true);
  ImGui::TableSetColumnIndex(Shared);
  number_cell(pal, n.shared, p.shared, hp, ui, was(2));
  ImGui::TableSetColumnIndex(Private);
  number_cell(pal, n.priv, p.priv, hp, ui, was(3));
  ImGui::TableSetColumnIndex(Anon);
  number_cell(pal, n.anon, p.anon, hp, ui, was(4));
  if (n.anon_huge > 0 && ImGui::IsItemHovered())
    ImGui::SetTooltip("of which in huge pages mapped by a PMD (AnonHugePages): %u pages, %u MiB", n.anon_huge,
                      n.anon_huge / 256);
  ImGui::TableSetColumnIndex(FileCol);
  number_cell(pal, n.file, p.file, hp, ui, was(5));
  ImGui::TableSetColumnIndex(Shmem);
  number_cell(pal, n.shmem, p.shmem, hp, ui, was(6));
  ImGui::TableSetColumnIndex(Bar);
  if (!ui.quiz.veiled) stacked_bar(n, max_rss, pal);
}

// The header row by hand (not TableHeadersRow) so that each header gets its glossary
// tooltip, on hover and on keyboard focus; each is widget "processes.<name>".
void setup_columns(UiState& ui) {
  struct Column {
    const char* name;
    const char* tip;    // glossary entry
    const char* width;  // sample text for a fixed width; null: stretch
  };
  static const Column kColumns[kCols] = {
      {"process", nullptr, "P1 (thread)         "}, {"state", nullptr, "suspended"},
      {"Rss", "Rss", "00000 ^00"},                {"Pss", "Pss", "00000.0000 ^000.00"},
      {"Shared", "Shared", "00000 ^00"},          {"Private", "Private", "00000 ^00"},
      {"Anon", "Anon", "00000 ^00"},              {"File", "File", "00000 ^00"},
      {"Shmem", "Shmem", "00000 ^00"},            {"Rss bars", "Rss bars", nullptr},
  };
  ImGui::TableSetupScrollFreeze(1, 1);
  for (const Column& c : kColumns) {
    if (c.width) ImGui::TableSetupColumn(c.name, ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize(c.width).x);
    else ImGui::TableSetupColumn(c.name, ImGuiTableColumnFlags_WidthStretch | ImGuiTableColumnFlags_NoHide);
  }
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int i = 0; i < kCols; ++i) {
    ImGui::TableSetColumnIndex(i);
    ImGui::TableHeader(kColumns[i].name);
    record_rect(ui, (std::string("processes.") + kColumns[i].name).c_str());
    if (kColumns[i].tip) glossary_tip(kColumns[i].tip);
  }
}

}  // namespace

void draw_processes_panel(const View& v, UiState& ui) {
  const Palette& pal = palette(ui.options.dark);
  if (begin_panel("Processes (pages)", ui.layout.processes)) {
    if (v.procs.empty()) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.text_dim), "no process yet");
    uint32_t max_rss = 0;
    for (const ProcRow& r : v.procs) max_rss = std::max(max_rss, r.now.rss);
    if (ui.quiz.veiled) ImGui::TextDisabled("?: changed since the last bookmark revealed; predict it in the Quiz tab");
    ImGuiTableFlags flags = ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                            ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
    if (!v.procs.empty() && ImGui::BeginTable("procs", kCols, flags)) {
      setup_columns(ui);
      ImGuiListClipper clip;
      clip.Begin(int(v.procs.size()));
      while (clip.Step())
        for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) draw_row(v, v.procs[i], max_rss, ui, pal);
      ImGui::EndTable();
    }
  }
  ImGui::End();
}

}  // namespace cow::web
