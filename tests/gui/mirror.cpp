// What screen readers get (App::announcement, App::processes_json) and the one-column phone
// layout, through the App with Dear ImGui headless. The numbers are the basic fork
// example's: fork copies 8 PTEs, the child's write copies 2 pages.
#include "gui_harness.h"

using namespace guitest;

namespace {

const char* kScript = "spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\nC1 write heap 0-1\n";

void settle(Gui& gui, App& app) {
  for (int i = 0; i < 100 && (app.busy() || i < 2); ++i) gui.frame(app);
  REQUIRE_FALSE(app.busy());
}

}  // namespace

TEST_CASE("the step announcement names the statement and the numbers it moved", "[gui]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  app.load(kScript, 3);
  settle(gui, app);
  std::string at3 = app.announcement();
  INFO(at3);
  CHECK(at3.rfind("step 3 of 5: frames used 8,", 0) == 0);
  CHECK(at3.find("Ran: P1 write heap") != std::string::npos);
  CHECK(app.announcement() == at3);  // asking again says the same

  app.step_to(5);
  settle(gui, app);
  std::string at5 = app.announcement();
  INFO(at5);
  CHECK(at5.rfind("step 5 of 5: frames used 10,", 0) == 0);
  CHECK(at5.find("Ran: C1 write heap 0-1") != std::string::npos);
  // From step 3 to 5: the fork copied 8 PTEs, the write copied 2 pages.
  CHECK(at5.find("Changed: frames used 8 to 10") != std::string::npos);
  CHECK(at5.find("COW copies 0 to 2") != std::string::npos);
  CHECK(at5.find("PTEs copied 0 to 8") != std::string::npos);
  CHECK(at5.find("zero fills") == std::string::npos);  // 8 before and after: not named

  app.step_to(5);
  settle(gui, app);
  CHECK(app.announcement() == at5);
}

TEST_CASE("a runtime error is announced after the step", "[gui]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  app.load("spawn P1\nP1 write heap 0\n");
  settle(gui, app);
  std::string text = app.announcement();
  INFO(text);
  CHECK(text.find("error at line 2") != std::string::npos);
}

TEST_CASE("the processes table mirror holds the panel's numbers", "[gui]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  app.load(kScript);
  settle(gui, app);
  std::string t = app.processes_json();
  INFO(t);
  CHECK(t.find(R"x("columns":["process","state","Rss","Pss","Shared","Private","Anon","File","Shmem"])x") !=
        std::string::npos);
  // C1 after writing 2 of its 8 shared pages: Rss 8, Pss 2 + 6/2 = 5, Shared 6, Private 2.
  CHECK(t.find(R"x(["C1","running","8","5.0000 (+1.00)","6 (-2)","2 (+2)","8","0","0"])x") != std::string::npos);
  CHECK(t.find(R"x(["P1","running","8","5.0000 (+1.00)","6 (-2)","2 (+2)")x") != std::string::npos);
}

TEST_CASE("below 480 px the panels stack in one column with the step buttons on screen", "[gui]") {
  Gui gui;
  ImGui::GetIO().DisplaySize = ImVec2(390, 844);
  App app({}, {});
  gui.build_fonts();
  app.load(kScript);
  settle(gui, app);
  float below = -1;
  for (const char* id : {"editor", "step", "step_back", "run", "slider"}) {
    cow::web::WidgetRect r = app.widget_rect(id);
    INFO(id << ": " << r.x << "," << r.y << " " << r.w << "x" << r.h);
    CHECK(r.w > 0);
    CHECK(r.x >= 0);
    CHECK(r.x + r.w <= 390.5f);
    CHECK(r.y + r.h <= 844);
    if (std::string(id) == "slider") below = r.y;
  }
  CHECK(below > app.widget_rect("editor").y);  // the steps come under the editor
}
