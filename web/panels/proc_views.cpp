// The real-tool views: the current step as /proc/PID/smaps (and smaps_rollup) of one
// process, the /proc/PID/status lines of every process, exactly as `cowlab run
// --smaps/--status` prints them (engine/mm/smaps.h), each line's glossary entry on hover;
// and smem's table, in kB or pages. Built once per step, when the tab is showing.
#include <string>

#include "engine/mm/smaps.h"
#include "engine/teach/glossary.h"
#include "panels.h"

namespace cow::web {

void build_proc_texts(View& v, const Engine& e, int proc) {
  ProcTexts& t = v.texts;
  const auto& procs = e.processes();
  if (proc < 0 || size_t(proc) >= procs.size() || !procs[proc].live()) {
    proc = -1;
    for (ProcId p = 0; p < procs.size() && proc < 0; ++p)
      if (procs[p].live() && !procs[p].is_thread(p)) proc = int(p);
  }
  t.proc = proc;
  t.smaps = proc >= 0 ? smaps_text(e, ProcId(proc)) : "";
  t.rollup = proc >= 0 ? smaps_rollup_text(e, ProcId(proc)) : "";
  t.status = status_text(e);
  t.smem_rows = smem_rows(e);
  t.built = true;
}

namespace {

void process_combo(const View& v, UiState& ui) {
  const auto& procs = v.session->engine().processes();
  std::string current = v.texts.proc >= 0 && size_t(v.texts.proc) < procs.size() ? procs[v.texts.proc].name : "-";
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  if (!ImGui::BeginCombo("##smaps_proc", current.c_str())) return;
  for (const ProcRow& r : v.procs) {
    if (r.state != ProcState::Running && r.state != ProcState::Suspended) continue;
    if (ImGui::Selectable(r.name.c_str(), int(r.id) == v.texts.proc)) ui.smaps_process = int(r.id);
  }
  ImGui::EndCombo();
}

// The glossary entry of the text line under the mouse ("Shared_Dirty:   64 kB" names
// Shared_Dirty), as a tooltip.
void line_tip(const std::string& text, float top) {
  float line_h = ImGui::GetTextLineHeight();
  long line = long((ImGui::GetMousePos().y - top) / line_h);
  size_t at = 0;
  for (long i = 0; i < line && at != std::string::npos; ++i) {
    at = text.find('\n', at);
    if (at != std::string::npos) ++at;
  }
  if (line < 0 || at == std::string::npos || at >= text.size()) return;
  size_t colon = text.find(':', at), nl = text.find('\n', at);
  if (colon == std::string::npos || colon > nl) return;
  std::string word = text.substr(at, colon - at);
  if (glossary_entry(word) != nullptr) glossary_tip(word.c_str());
}

void text_block(const char* id, const std::string& text) {
  ImGui::BeginChild(id, ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  float top = ImGui::GetCursorScreenPos().y;
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  line_tip(text, top);
  ImGui::EndChild();
}

// The smem table in the pane's width, its unit switchable between kB (as smem prints) and
// pages (as the rest of the playground counts); each header's glossary entry on hover.
void smem_table(const std::vector<SmemRow>& rows, UiState& ui) {
  ImGui::TextUnformatted("unit:");
  ImGui::SameLine();
  if (ImGui::RadioButton("kB", !ui.smem_in_pages)) ui.smem_in_pages = false;
  record_rect(ui, "smem_kb");
  ImGui::SameLine();
  if (ImGui::RadioButton("pages", ui.smem_in_pages)) ui.smem_in_pages = true;
  record_rect(ui, "smem_pages");
  ImGui::SameLine();
  ImGui::TextDisabled("(1 page = 4 kB)");
  bool pages = ui.smem_in_pages;
  const char* unit = pages ? "pages" : "kB";
  struct Column {
    std::string name;
    const char* tip;
    float weight;
  } cols[] = {{"PID", nullptr, 1}, {"Command", nullptr, 2}, {std::string("Swap ") + unit, "Swap", 1},
              {std::string("USS ") + unit, "USS", 1.2f}, {std::string("PSS ") + unit, "Pss", 1.4f},
              {std::string("RSS ") + unit, "Rss", 1.2f}};
  ImGuiTableFlags flags = ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                          ImGuiTableFlags_ScrollY;
  if (!ImGui::BeginTable("##smem", 6, flags)) return;
  for (const Column& c : cols) ImGui::TableSetupColumn(c.name.c_str(), ImGuiTableColumnFlags_WidthStretch, c.weight);
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int i = 0; i < 6; ++i) {
    ImGui::TableSetColumnIndex(i);
    ImGui::TableHeader(cols[i].name.c_str());
    if (cols[i].tip) glossary_tip(cols[i].tip);
  }
  SmemRow total;
  auto row = [&](const SmemRow& r, const char* pid) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TextUnformatted(pid);
    ImGui::TableSetColumnIndex(1);
    ImGui::TextUnformatted(r.command.c_str());
    ImGui::TableSetColumnIndex(2);
    ImGui::TextUnformatted("0");
    ImGui::TableSetColumnIndex(3);
    ImGui::Text("%llu", (unsigned long long)(pages ? r.uss : r.uss_kb));
    ImGui::TableSetColumnIndex(4);
    if (pages) ImGui::TextUnformatted(pss_text(r.pss).c_str());
    else ImGui::Text("%llu", (unsigned long long)r.pss_kb);
    ImGui::TableSetColumnIndex(5);
    ImGui::Text("%llu", (unsigned long long)(pages ? r.rss : r.rss_kb));
  };
  for (const SmemRow& r : rows) {
    row(r, std::to_string(r.pid).c_str());
    total.uss += r.uss, total.rss += r.rss, total.pss += r.pss;
    total.uss_kb += r.uss_kb, total.rss_kb += r.rss_kb, total.pss_kb += r.pss_kb;
  }
  total.command = std::to_string(rows.size()) + " processes";
  row(total, "total");
  ImGui::EndTable();
}

}  // namespace

void draw_proc_tab(const View& v, UiState& ui) {
  ui.want_texts = true;
  if (!v.valid || v.session == nullptr || !v.texts.built) return;
  if (!ImGui::BeginTabBar("##proc")) return;
  if (ImGui::BeginTabItem("smaps")) {
    process_combo(v, ui);
    ImGui::SameLine();
    ImGui::TextDisabled("/proc/%d/smaps (kB; Pss truncated as the kernel does)", v.texts.proc + 1);
    text_block("##smaps", v.texts.smaps + (v.texts.rollup.empty() ? "" : "\n--- smaps_rollup ---\n" + v.texts.rollup));
    ImGui::EndTabItem();
  }
  if (ImGui::BeginTabItem("status")) {
    text_block("##status", v.texts.status);
    ImGui::EndTabItem();
  }
  if (ImGui::BeginTabItem("smem")) {
    smem_table(v.texts.smem_rows, ui);
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

}  // namespace cow::web
