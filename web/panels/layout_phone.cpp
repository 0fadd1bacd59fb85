// The one-column layout of phones (layout_phone.h).
#include "layout_phone.h"

#include <algorithm>
#include <cmath>

#include "panels.h"

namespace cow::web {

namespace {

constexpr float kMinPageMap = 120;  // below this the processes table makes way

// Puts the next panel of the column at `y`, `height` tall; returns the y after it.
float put(Rect& r, float y, float width, float height) {
  r = {0, y, width, std::max(0.0f, height)};
  return y + r.h;
}

}  // namespace

Layout phone_layout(const View& v, const UiState& ui, ImVec2 display, size_t processes) {
  Layout L;
  const float top = ui.options.embed ? 0 : ImGui::GetFrameHeight();
  const float w = display.x, h = display.y - top;
  L.has_events = ui.quiz.active;  // the quiz lives in the events panel's tabs
  L.has_physical = L.has_timeline = false;
  float editor = std::floor(std::clamp(h * 0.3f, 140.0f, 280.0f));
  // The headline's numbers stack one per row this narrow: a quarter of the height at most;
  // the step's caption a fifth (their panels scroll under a finger, web/touch.h), so the
  // processes and the page map keep room.
  float headline = std::min(headline_height(w, v, ui), std::floor(h * 0.25f));
  float travel = std::min(travel_height(w, v, ui), std::floor(h * 0.2f));
  float about = about_height(w, std::floor(h * 0.2f), ui);
  float row = ImGui::GetTextLineHeightWithSpacing() + 2;
  float table = std::floor(std::min(ImGui::GetFrameHeight() + 2 * ImGui::GetStyle().WindowPadding.y +
                                        float(std::max<size_t>(processes, 2) + 1) * row,
                                    h * 0.25f));
  float middle = L.has_events ? std::floor(h * 0.3f) : table;
  float rest = h - editor - headline - about - travel - middle;
  L.has_processes = !L.has_events && rest >= kMinPageMap;
  if (!L.has_processes && !L.has_events) middle = 0;
  float y = put(L.editor, top, w, editor);
  y = put(L.headline, y, w, headline);
  y = put(L.about, y, w, about);
  y = put(L.travel, y, w, travel);
  y = put(L.has_events ? L.events : L.processes, y, w, middle);
  put(L.page_map, y, w, top + h - y);
  return L;
}

}  // namespace cow::web
