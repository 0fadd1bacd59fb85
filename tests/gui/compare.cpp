// The playground's "Compare with eager copy" (the cost tab), driven through the App as a
// user does: load a script, click the Cost tab, click the button, read the comparison.
// Dear ImGui runs headless here (a context and a font atlas, no window or renderer), and
// web/widget_probe.cpp says where the widgets were drawn.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "imgui.h"
#include "web/app.h"
#include "web/widget_probe.h"

namespace {

using cow::web::App;

// One ImGui context with a built font atlas, for one test.
struct Gui {
  Gui() {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1280, 800);  // wide enough for the events panel and its tabs
    io.DeltaTime = 1.0f / 60;
  }
  ~Gui() { ImGui::DestroyContext(); }
  void build_fonts() {
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  }
  void frame(App& app) {
    ImGui::NewFrame();
    cow::web::probe::begin_frame();
    app.frame();
    ImGui::Render();
  }
};

// A number field of a JSON text: the first "key": after `after`.
double json_number(const std::string& json, const std::string& key, const std::string& after = "") {
  size_t from = after.empty() ? 0 : json.find(after);
  REQUIRE(from != std::string::npos);
  size_t at = json.find("\"" + key + "\":", from);
  REQUIRE(at != std::string::npos);
  return std::strtod(json.c_str() + at + key.size() + 3, nullptr);
}

// Clicks the widget labelled `label` (ImGui samples the mouse once per frame: move,
// press, release, each in a frame of its own), then draws one frame more.
void click(Gui& gui, App& app, const std::string& label) {
  std::string w = cow::web::probe::widgets_json(label);
  INFO("widgets labelled " << label << ": " << w);
  REQUIRE(w.size() > 2);
  float x = float(json_number(w, "x") + json_number(w, "w") / 2), y = float(json_number(w, "y") + json_number(w, "h") / 2);
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2(x, y);
  gui.frame(app);
  io.MouseDown[0] = true;
  gui.frame(app);
  io.MouseDown[0] = false;
  gui.frame(app);
  gui.frame(app);  // what the click opened (a tab's content) draws in the next frame
}

}  // namespace

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
