// The failed expects, listed under the editor: one line each with the script line, what
// was checked, the expected and the actual value. A click scrolls the editor to the line
// and moves to just after its statement (Command::GoToLine). A runtime error shows above
// the list, not instead of it (editor.cpp's status).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panels.h"

namespace cow::web {

namespace {

// "C1 heap pss", "C1 rss" or "frames_used".
std::string checked_name(const script::ExpectOutcome& ex) {
  std::string s = ex.process;
  if (!ex.region.empty()) s += (s.empty() ? "" : " ") + ex.region;
  return s + (s.empty() ? "" : " ") + ex.metric;
}

std::string row_text(const script::ExpectOutcome& ex) {
  std::string actual = ex.actual.empty() ? "nothing (no such process or region)" : ex.actual;
  return "line " + std::to_string(ex.line) + ": " + checked_name(ex) + " expected " + ex.expected + ", got " + actual;
}

}  // namespace

float expect_list_height(const View& v, float max) {
  if (v.session == nullptr) return 0;
  size_t n = failed_expects(*v.session).size();
  if (n == 0) return 0;
  const ImGuiStyle& st = ImGui::GetStyle();
  float rows = float(n) * ImGui::GetTextLineHeightWithSpacing() + 2 * st.WindowPadding.y;
  return std::floor(std::min(max, rows));
}

void draw_expect_list(const View& v, UiState& ui, float height) {
  if (v.session == nullptr || height <= 0) return;
  std::vector<const script::ExpectOutcome*> failed = failed_expects(*v.session);
  if (failed.empty()) return;
  const Palette& pal = palette(ui.options.dark);
  ImGui::BeginChild("##failed_expects", ImVec2(0, height), true);
  ImGui::PushStyleColor(ImGuiCol_Text, pal.dirty);
  for (size_t i = 0; i < failed.size(); ++i) {
    const script::ExpectOutcome& ex = *failed[i];
    ImGui::PushID(int(i));
    if (ImGui::Selectable(row_text(ex).c_str())) ui.requests.push_back({Command::GoToLine, ex.line});
    char id[32];
    std::snprintf(id, sizeof id, "expect:%zu", i);
    record_visible_rect(ui, id);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\nclick to go to line %d", ex.message.c_str(), ex.line);
    ImGui::PopID();
  }
  ImGui::PopStyleColor();
  ImGui::EndChild();
}

}  // namespace cow::web
