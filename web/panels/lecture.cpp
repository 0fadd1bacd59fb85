// Lecture tools (LectureState): the View menu's UI scale, presentation mode, "Skip checks"
// and "Next bookmark", and where a step lands when checks are skipped.
#include <cstdio>

#include "panels.h"

namespace cow::web {

namespace {

constexpr float kScales[] = {1.0f, 1.25f, 1.5f, 1.75f, 2.0f, 2.5f};

// expect and show change nothing on screen: a check and a bookmark.
bool changes_nothing(script::Verb v) { return v == script::Verb::Expect || v == script::Verb::Show; }

}  // namespace

size_t next_position(const script::Session& s, size_t pos, Move move, const LectureState& lecture) {
  const auto& st = s.script().statements;
  size_t n = st.size();
  switch (move) {
    case Move::Forward:
      if (!lecture.skip_checks) return pos + 1;
      for (size_t k = pos + 1; k <= n; ++k)
        if (!changes_nothing(st[k - 1].verb)) return k;
      return pos;  // only checks are left: stay (End goes to the last step)
    case Move::Back:
      if (pos == 0) return 0;
      if (!lecture.skip_checks) return pos - 1;
      for (size_t k = pos - 1; k >= 1; --k)
        if (!changes_nothing(st[k - 1].verb)) return k;
      return 0;
    case Move::Bookmark:
      for (size_t k = pos + 1; k <= n; ++k)
        if (st[k - 1].verb == script::Verb::Show) return k;
      return pos;
  }
  return pos;
}

void lecture_menu_items(UiState& ui) {
  LectureState& l = ui.lecture;
  ImGui::Separator();
  if (ImGui::BeginMenu("UI scale")) {
    for (float s : kScales) {
      char label[16];
      std::snprintf(label, sizeof label, "%g x", double(s));
      if (ImGui::MenuItem(label, nullptr, l.scale == s)) l.scale = s;
    }
    ImGui::EndMenu();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Larger text and panels, e.g. for a projector (&scale=2 in a link)");
  if (ImGui::MenuItem("Presentation", nullptr, &l.present) && l.present) l.skip_checks = true;
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("At least %g x, the script collapsed to the current statement, checks skipped (&present=1)",
                      double(LectureState::kPresentScale));
  ImGui::MenuItem("Skip checks", nullptr, &l.skip_checks);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Step and Step back jump over expect and show, which change nothing");
  if (ImGui::MenuItem("Next bookmark")) ui.requests.push_back({Command::NextBookmark});
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Go to the next show statement");
}

}  // namespace cow::web
