// Layouts that never lose a panel, and stepping with "Skip checks", driven through the
// App as a visitor does (ImGui headless): in a small frame or a narrow window each panel
// is drawn or is a tab that shows it; with presentation mode a clicker's PageDown lands
// only on statements that change something, and PageUp comes back over the checks.
#include <SDL_scancode.h>

#include "gui_harness.h"

using namespace guitest;

namespace {

constexpr const char* kPanels[] = {"editor", "events", "processes", "page_map", "physical", "timeline"};

// show (step 3), expect (4) and show (7) change nothing; the other four statements do.
constexpr const char* kScript =
    "spawn P\nP mmap h 8\nshow\nexpect P rss=0\nP write h\nP fork C\nshow\nC write h 0\n";

void settle(Gui& gui, App& app) {
  for (int i = 0; i < 200 && (app.busy() || i < 3); ++i) gui.frame(app);
  REQUIRE_FALSE(app.busy());
}

// A window of `size` units showing kScript, run to its end.
void open_script(Gui& gui, App& app, ImVec2 size) {
  ImGui::GetIO().DisplaySize = size;
  gui.build_fonts();
  app.load(kScript);
  settle(gui, app);
}

bool drawn(const App& app, const std::string& id) {
  cow::web::WidgetRect r = app.widget_rect(id);
  ImVec2 d = ImGui::GetIO().DisplaySize;
  return r.w >= 40 && r.h >= 40 && r.x >= 0 && r.y >= 0 && r.x + r.w <= d.x + 0.5f && r.y + r.h <= d.y + 0.5f;
}

void press(Gui& gui, App& app, int scancode) {
  ImGui::GetIO().KeysDown[scancode] = true;
  gui.frame(app);
  ImGui::GetIO().KeysDown[scancode] = false;
  settle(gui, app);
}

}  // namespace

TEST_CASE("every panel is drawn or a tab that shows it, in small and narrow windows", "[gui]") {
  for (ImVec2 size : {ImVec2(700, 520), ImVec2(800, 900), ImVec2(640, 360)}) {
    Gui gui;
    App app({}, {});
    open_script(gui, app, size);
    int tabs = 0;
    for (const char* id : kPanels) {
      std::string panel = std::string("panel:") + id;
      INFO(size.x << "x" << size.y << ": " << panel);
      if (drawn(app, panel)) continue;
      cow::web::WidgetRect tab = app.widget_rect(std::string("tab:") + id);
      if (tab.w == 0) tab = app.widget_rect("tab:maps");  // the page map beside physical memory
      REQUIRE(tab.w > 0);
      click_at(gui, app, tab.x + tab.w / 2, tab.y + tab.h / 2);
      CHECK(drawn(app, panel));
      ++tabs;
    }
    CHECK(tabs >= 2);  // none of these sizes has room for all six side by side
  }
}

TEST_CASE("the compact layout keeps the page map and physical memory side by side", "[gui]") {
  Gui gui;
  App app({}, {});
  open_script(gui, app, ImVec2(640, 360));  // 1280 x 720 at a UI scale of 2
  cow::web::WidgetRect map = app.widget_rect("panel:page_map"), phys = app.widget_rect("panel:physical");
  CHECK(drawn(app, "panel:page_map"));
  CHECK(drawn(app, "panel:physical"));
  CHECK(map.y == phys.y);
  CHECK(map.x + map.w <= phys.x);
}

TEST_CASE("the menu bar keeps Help on screen in scaled windows", "[gui]") {
  // 1280 x 720 at 2x, 1024 x 768 at 2x, 1280 x 800 at 2.5x, and a wide window.
  for (ImVec2 size : {ImVec2(640, 360), ImVec2(512, 384), ImVec2(512, 320), ImVec2(1600, 900)}) {
    Gui gui;
    App app({}, {});
    open_script(gui, app, size);
    INFO(size.x << "x" << size.y);
    for (const char* id : {"help", "predict", "export"}) {
      cow::web::WidgetRect r = app.widget_rect(id);
      INFO(id);
      CHECK(r.w > 0);
      CHECK(r.x + r.w <= size.x + 0.5f);
    }
  }
}

TEST_CASE("presentation mode: PageDown and PageUp skip expect and show", "[gui]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  cow::web::Options o;
  o.present = true;
  app.set_options(o);
  app.load(kScript, 0);
  settle(gui, app);
  CHECK(app.ui_scale() == 2.0f);
  std::vector<long> landed;
  for (int i = 0; i < 8; ++i) {
    long before = app.position();
    press(gui, app, SDL_SCANCODE_PAGEDOWN);
    if (app.position() == before) break;
    landed.push_back(app.position());
  }
  CHECK(landed == std::vector<long>{1, 2, 5, 6, 8});
  press(gui, app, SDL_SCANCODE_PAGEUP);
  CHECK(app.position() == 6);
  press(gui, app, SDL_SCANCODE_PAGEUP);
  CHECK(app.position() == 5);
  press(gui, app, SDL_SCANCODE_PAGEUP);
  CHECK(app.position() == 2);
}

TEST_CASE("without Skip checks PageDown visits every statement", "[gui]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  app.load(kScript, 2);
  settle(gui, app);
  press(gui, app, SDL_SCANCODE_PAGEDOWN);
  CHECK(app.position() == 3);
  press(gui, app, SDL_SCANCODE_PAGEDOWN);
  CHECK(app.position() == 4);
}

TEST_CASE("B, Next bookmark, goes to the next show and stays at the last", "[gui]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  app.load(kScript, 0);
  settle(gui, app);
  for (long want : {3L, 7L, 7L}) {
    ImGui::GetIO().AddInputCharacter('b');
    settle(gui, app);
    CHECK(app.position() == want);
  }
}
