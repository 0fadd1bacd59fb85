// The glossary in the App: Help opens on a tour of the panels with the glossary one tab
// away, and a table header shows its glossary entry while the mouse is on it.
#include "gui_harness.h"
#include "imgui_internal.h"

using namespace guitest;

namespace {

// True when a tooltip window was drawn in the last frame.
bool tooltip_shown() {
  ImGuiWindow* w = ImGui::FindWindowByName("##Tooltip_00");
  return w != nullptr && w->Active;
}

void hover(Gui& gui, App& app, const cow::web::WidgetRect& r) {
  ImGui::GetIO().MousePos = ImVec2(r.x + r.w / 2, r.y + r.h / 2);
  gui.frame(app);
  gui.frame(app);
}

}  // namespace

TEST_CASE("Help: a tour of the panels, the glossary one tab away", "[gui][glossary]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  cow::web::probe::widgets_json("");
  gui.frame(app);
  gui.frame(app);
  CHECK(cow::web::probe::widgets_json("Tour of the panels") == "[]");
  click(gui, app, "Help");
  CHECK(cow::web::probe::widgets_json("Tour of the panels") != "[]");
  click(gui, app, "Glossary");
  std::string tab = cow::web::probe::widgets_json("Glossary");
  INFO(tab);
  CHECK(tab.find("\"window\":\"Help\"") != std::string::npos);
}

TEST_CASE("a header of the processes table explains itself on hover", "[gui][glossary]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  app.load("spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\n");
  for (int i = 0; i < 100 && (app.busy() || i < 2); ++i) gui.frame(app);
  REQUIRE_FALSE(app.busy());
  cow::web::WidgetRect pss = app.widget_rect("processes.Pss");
  REQUIRE(pss.w > 0);
  hover(gui, app, {pss.x, pss.y + pss.h * 3, pss.w, pss.h});  // a number under it: no tooltip
  CHECK_FALSE(tooltip_shown());
  hover(gui, app, pss);
  CHECK(tooltip_shown());
  // The stacked bars' header is drawn whole: as wide as its label at least.
  cow::web::WidgetRect bars = app.widget_rect("processes.Rss bars");
  CHECK(bars.w >= ImGui::CalcTextSize("Rss bars").x);
}
