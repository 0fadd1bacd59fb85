// View > Export figure hands the platform the figure `cowlab render --svg` draws for the
// same script, step and theme: one renderer (engine/figure/svg.h) for the page and the
// command line. The expected SVG is rendered from a session of its own here.
#include "engine/figure/svg.h"
#include "gui_harness.h"

using namespace guitest;
using namespace cow;

TEST_CASE("Export figure gives the SVG of cowlab render, in the page's theme", "[gui]") {
  const std::string text =
      "spawn P1\nP1 mmap heap 32\n# P1 writes every page\nP1 write heap\nP1 fork C1\nshow\nC1 write heap 0-7\n";
  std::string exported;
  int exports = 0;
  web::Platform platform;
  platform.export_figure = [&](const std::string& svg) { exported = svg, ++exports; };
  Gui gui;
  App app(platform, {});
  gui.build_fonts();
  web::probe::widgets_json("");  // the probe records from the next frame on
  app.load(text, 6);
  for (int i = 0; i < 100 && (app.busy() || i < 2); ++i) gui.frame(app);
  REQUIRE(app.position() == 6);

  click(gui, app, "View");
  click(gui, app, "Export figure");
  REQUIRE(exports == 1);
  script::Session s;
  REQUIRE(s.load(text));
  s.run_to(6);
  CHECK(exported == figure::render_svg(s, text, {.theme = figure::Theme::Dark}));  // the page starts dark
  CHECK(exported.find("step 6 of 6:  C1 write heap 0-7") != std::string::npos);
  CHECK(app.figure_svg("pagemap") ==
        figure::render_svg(s, text, {.view = figure::FigureView::PageMap, .theme = figure::Theme::Dark}));
  CHECK(app.figure_svg("physical") != app.figure_svg("pagemap"));
  CHECK(app.figure_svg("slides").empty());
}
