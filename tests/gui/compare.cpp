// The playground's "Compare with eager copy" (the cost tab), driven through the App as a
// user does: load a script, click the Cost tab, click the button, read the comparison.
// Dear ImGui runs headless here (a context and a font atlas, no window or renderer), and
// web/widget_probe.cpp says where the widgets were drawn.
#include "gui_harness.h"

using namespace guitest;

TEST_CASE("Compare with eager copy keeps fork=copy across ram", "[gui]") {
  // Regression: the page compared a script with `ram` against itself, since `ram` dropped
  // the copy mode the comparison had put before it. Eager copy allocates the child's 8
  // pages at the fork: 16 frames of 64 where COW uses 8.
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  cow::web::probe::widgets_json("");  // the probe records from the next frame on
  app.load("ram 64\nspawn P\nP mmap h 8\nP write h\nP fork C\n");
  for (int i = 0; i < 100 && (app.busy() || i < 2); ++i) gui.frame(app);
  REQUIRE_FALSE(app.busy());
  CHECK(json_number(app.state_json(), "frames_used") == 8);
  CHECK(app.compare_json().empty());

  click(gui, app, "Cost");
  click(gui, app, "Compare with eager copy (mode fork=copy)");
  for (int i = 0; i < 100 && app.compare_json().empty(); ++i) gui.frame(app);
  std::string copy = app.compare_json();
  INFO(copy);
  REQUIRE_FALSE(copy.empty());
  CHECK(json_number(copy, "step") == 5);           // the same steps as the script
  CHECK(json_number(copy, "frames_total") == 64);  // ram 64 held
  CHECK(json_number(copy, "frames_used") == 16);
  CHECK(json_number(copy, "cow_copies") == 0);
  CHECK(json_number(copy, "uss", "\"name\":\"C\"") == 8);
  CHECK(copy.find("\"error\"") == std::string::npos);
  // The page's own run is unchanged.
  CHECK(json_number(app.state_json(), "frames_used") == 8);
}
