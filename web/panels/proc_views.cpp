// The real-tool views: the current step as /proc/PID/smaps (and smaps_rollup) of one
// process, the /proc/PID/status lines of every process, and an smem table, exactly as
// `cowlab run --smaps/--status` prints them (engine/mm/smaps.h). Built once per step, when
// the tab is showing.
#include "engine/mm/smaps.h"
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
  t.smem = smem_text(e);
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

void text_block(const char* id, const std::string& text) {
  ImGui::BeginChild(id, ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  ImGui::EndChild();
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
    text_block("##smem", v.texts.smem);
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

}  // namespace cow::web
