// The inspector, driven through the App as a user does: a click on a page-map cell, a
// physical-memory cell, then on a fork's event line, and what the inspector says (App::inspector_text, the text the
// web page mirrors into #cowlab-inspect). Expected values are worked out by hand: P writes
// h 0-7 into frames 0-7 in order; the fork shares them (mapcount 2); C's write to page 2
// copies it into frame 8, the first free one.
#include "gui_harness.h"

using namespace guitest;

namespace {

constexpr const char* kScript = "spawn P\nP mmap h 8\nP write h\nP fork C\nC write h 2\n";

void settle(Gui& gui, App& app) {
  for (int i = 0; i < 200 && (app.busy() || i < 3); ++i) gui.frame(app);
  REQUIRE_FALSE(app.busy());
}

void click_widget(Gui& gui, App& app, const std::string& id) {
  cow::web::WidgetRect r = app.widget_rect(id);
  INFO("widget " << id);
  REQUIRE(r.w > 0);
  click_at(gui, app, r.x + r.w / 2, r.y + r.h / 2);
}

}  // namespace

TEST_CASE("a click on a page opens the inspector on it", "[gui][inspector]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  app.load(kScript);
  settle(gui, app);
  CHECK(app.inspector_text().empty());
  CHECK(app.widget_rect("page:P:h:8").w == 0);  // no such page
  CHECK(app.widget_rect("page:X:h:0").w == 0);
  click_widget(gui, app, "page:P:h:5");
  std::string text = app.inspector_text();
  INFO(text);
  CHECK(text.find("P h[5]") != std::string::npos);
  CHECK(text.find("P=1 W=0 D=1 COW=yes") != std::string::npos);
  CHECK(text.find("Frame 5: anon, mapcount 2") != std::string::npos);
  CHECK(app.widget_rect("inspector").w > 0);

  click_widget(gui, app, "page:C:h:2");
  text = app.inspector_text();
  CHECK(text.find("C h[2]") != std::string::npos);
  CHECK(text.find("P=1 W=1 D=1 COW=no") != std::string::npos);
  CHECK(text.find("Frame 8: anon, mapcount 1, mapped by C h[2].") != std::string::npos);

  // A frame of physical memory: the inspector shows the page that maps it.
  click_widget(gui, app, "frame:8");
  text = app.inspector_text();
  CHECK(text.find("C h[2]") != std::string::npos);
  CHECK(text.find("Frame 8: anon, mapcount 1") != std::string::npos);
  CHECK(app.widget_rect("frame:99999999").w == 0);  // past the frames shown
  CHECK(app.widget_rect("frame:8x").w == 0);
}

TEST_CASE("a fork's event line opens the inspector and the page tables of parent and child", "[gui][inspector]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  app.load(kScript);
  settle(gui, app);
  app.step_to(4);  // just after the fork
  settle(gui, app);
  CHECK(app.widget_rect("page_tables").w == 0);
  // The fork's events: find the line of its decision for h (ForkVma).
  std::string found;
  for (int i = 0; i < 8 && found.empty(); ++i) {
    std::string id = "event:4:" + std::to_string(i);
    if (app.widget_rect(id).w == 0) break;
    click_widget(gui, app, id);
    if (app.inspector_text().find("P fork C h[0-7]") != std::string::npos) found = id;
  }
  INFO(app.inspector_text());
  REQUIRE_FALSE(found.empty());
  CHECK(app.inspector_text().find("copied 8 PTEs") != std::string::npos);
  CHECK(app.widget_rect("page_tables").w > 0);
  CHECK(app.inspect_json("C", "h", 3).find("\"frame\":3,") != std::string::npos);
  CHECK(app.inspect_json("C", "h", 9) == "{\"error\":\"'C' does not map h[9]\"}");
  CHECK(app.inspect_json("C", "h", -1) == "{\"error\":\"page -1 is out of range\"}");
}
