// Panels as tabs: when a panel has no room of its own (a narrow screen, a small embedded
// frame, a large UI scale), it becomes a tab of a strip, so every panel stays reachable.
// The compact layout (frames up to ~760 x 560, and presentation mode) keeps the headline,
// the steps, the page map and physical memory on screen and puts the rest in tabs.
// All sizes are in ImGui units: CSS pixels divided by the UI scale.
#include <algorithm>
#include <cmath>

#include "panels.h"

namespace cow::web {

namespace {

constexpr float kCompactWidth = 760, kCompactHeight = 560;  // at or below: compact
constexpr float kStackedWidth = 480;    // below: another layout (one column) takes over
constexpr float kMapsShare = 0.62f;     // of the height below the steps, for the maps
constexpr float kMapsTabHeight = 300;   // less below the steps: the maps are a tab too

constexpr uint8_t bit(Pane p) { return uint8_t(1u << unsigned(p)); }

// The id part of "panel:<id>" and "tab:<id>" (App::widget_rect).
const char* pane_id(Pane p) {
  switch (p) {
    case Pane::Maps: return "maps";
    case Pane::Processes: return "processes";
    case Pane::Editor: return "editor";
    case Pane::Events: return "events";
    case Pane::Physical: return "physical";
    case Pane::Timeline: return "timeline";
    case Pane::kCount: break;
  }
  return "";
}

// The pane's rectangle and flag in the layout.
// The page map, beside physical memory when that is shown.
void place_maps(Layout& L, Rect r, bool physical) {
  float mw = physical ? std::floor(r.w * 0.56f) : r.w;
  L.page_map = {r.x, r.y, mw, r.h};
  L.physical = {r.x + mw, r.y, r.w - mw, r.h};
  L.has_page_map = true;
  L.has_physical = physical;
}

void place(Layout& L, Pane p, Rect r, const UiState& ui) {
  switch (p) {
    case Pane::Maps: place_maps(L, r, ui.show_physical); break;
    case Pane::Processes: L.processes = r, L.has_processes = true; break;
    case Pane::Editor: L.editor = r, L.has_editor = true; break;
    case Pane::Events: L.events = r, L.has_events = true; break;
    case Pane::Physical: L.physical = r, L.has_physical = true; break;
    case Pane::Timeline: L.timeline = r, L.has_timeline = true; break;
    case Pane::kCount: break;
  }
}

void hide_tabbed(Layout& L) {
  if (L.tabs.has(Pane::Maps)) L.has_page_map = L.has_physical = false;
  if (L.tabs.has(Pane::Processes)) L.has_processes = false;
  if (L.tabs.has(Pane::Editor)) L.has_editor = false;
  if (L.tabs.has(Pane::Events)) L.has_events = false;
  if (L.tabs.has(Pane::Physical)) L.has_physical = false;
  if (L.tabs.has(Pane::Timeline)) L.has_timeline = false;
}

void record_panel(UiState& ui, const char* id, const Rect& r, bool shown) {
  ui.rects[std::string("panel:") + id] = shown ? WidgetRect{r.x, r.y, r.w, r.h} : WidgetRect{};
}

void record_panels(UiState& ui) {
  const Layout& L = ui.layout;
  record_panel(ui, "editor", L.editor, L.has_editor);
  record_panel(ui, "events", L.events, L.has_events);
  record_panel(ui, "headline", L.headline, true);
  record_panel(ui, "travel", L.travel, true);
  record_panel(ui, "processes", L.processes, L.has_processes);
  record_panel(ui, "page_map", L.page_map, L.has_page_map);
  record_panel(ui, "physical", L.physical, L.has_physical);
  record_panel(ui, "timeline", L.timeline, L.has_timeline);
}

}  // namespace

const char* pane_name(Pane p) {
  switch (p) {
    case Pane::Maps: return "Page map + physical";
    case Pane::Processes: return "Processes";
    case Pane::Editor: return "Script";
    case Pane::Events: return "Events";
    case Pane::Physical: return "Physical memory";
    case Pane::Timeline: return "Timeline";
    case Pane::kCount: break;
  }
  return "";
}

bool wants_compact_layout(float width, float height, const UiState& ui) {
  if (width < kStackedWidth) return false;
  return ui.lecture.present || width <= kCompactWidth || height <= kCompactHeight;
}

uint8_t overflow_panes(const UiState& ui) {
  uint8_t panes = 0;
  if (ui.show_events || ui.quiz.active) panes |= bit(Pane::Events);  // the quiz lives in its tabs
  if (ui.show_physical) panes |= bit(Pane::Physical);
  if (ui.show_timeline) panes |= bit(Pane::Timeline);
  return panes;
}

// Headline, About (when tall enough) and the steps across the top; below, the page map
// beside physical memory, then a strip of tabs for the processes, the script and the
// rest. When short, the two maps are the first tab of that strip, shown at first. The
// editor is a tab: the step bar shows the current statement.
Layout compact_layout(const View& v, const UiState& ui, Rect r, size_t) {
  Layout L;
  L.compact = true;
  float hh = compact_headline_height(r.w, v, ui);
  float ah = r.h >= kCompactHeight ? about_height(r.w, std::floor(r.h * 0.2f), ui) : 0;  // short: no room
  float th = travel_height(r.w, v, ui);
  L.headline = {r.x, r.y, r.w, hh};
  L.about = {r.x, r.y + hh, r.w, ah};
  L.travel = {r.x, r.y + hh + ah, r.w, th};
  float y = r.y + hh + ah + th, h = std::max(0.0f, r.h - hh - ah - th);
  L.tabs.panes = bit(Pane::Processes) | bit(Pane::Editor) | overflow_panes(ui);
  L.tabs.panes &= uint8_t(~bit(Pane::Physical));  // beside the page map
  if (h < kMapsTabHeight) {  // the maps take the tab area, as its first tab
    L.tabs.area = {r.x, y, r.w, h};
    L.tabs.panes |= bit(Pane::Maps);
  } else {
    float mh = std::floor(h * kMapsShare);
    place_maps(L, {r.x, y, r.w, mh}, ui.show_physical);
    L.tabs.area = {r.x, y + mh, r.w, h - mh};
  }
  hide_tabbed(L);
  return L;
}

void draw_pane_tabs(UiState& ui) {
  Layout& L = ui.layout;
  for (int i = 0; i < int(Pane::kCount); ++i) ui.rects.erase(std::string("tab:") + pane_id(Pane(i)));
  if (L.tabs.panes != 0) {
    hide_tabbed(L);
    bool to_quiz = ui.quiz.select_tab && L.tabs.has(Pane::Events);  // a new quiz: show it
    if (to_quiz) ui.tab = Pane::Events;
    if (!L.tabs.has(ui.tab))
      for (int i = 0; i < int(Pane::kCount); ++i)
        if (L.tabs.has(Pane(i))) {
          ui.tab = Pane(i);
          break;
        }
    const ImGuiStyle& st = ImGui::GetStyle();
    const Rect& a = L.tabs.area;
    float strip = ImGui::GetFrameHeight() + 2 * st.WindowPadding.y;
    Pane selected = ui.tab;
    if (begin_panel("Panels##tabs", {a.x, a.y, a.w, strip}, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar) &&
        ImGui::BeginTabBar("##panes", ImGuiTabBarFlags_FittingPolicyScroll)) {
      for (int i = 0; i < int(Pane::kCount); ++i) {
        Pane p = Pane(i);
        if (!L.tabs.has(p)) continue;
        std::string label = std::string(pane_name(p)) + "##pane";
        ImGuiTabItemFlags flags = p == ui.tab && to_quiz ? ImGuiTabItemFlags_SetSelected : 0;
        if (ImGui::BeginTabItem(label.c_str(), nullptr, flags)) {
          selected = p;
          ImGui::EndTabItem();
        }
        record_rect(ui, (std::string("tab:") + pane_id(p)).c_str());
      }
      ImGui::EndTabBar();
    }
    ImGui::End();
    ui.tab = selected;
    place(L, selected, {a.x, a.y + strip, a.w, std::max(0.0f, a.h - strip)}, ui);
  }
  record_panels(ui);
}

}  // namespace cow::web
