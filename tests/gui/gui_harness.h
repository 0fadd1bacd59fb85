// What the GUI tests share: Dear ImGui headless (a context and a font atlas, no window or
// renderer), an App drawn a frame at a time, and clicks where web/widget_probe.cpp or
// App::widget_rect says a widget was drawn.
#pragma once
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "imgui.h"
#include "web/app.h"
#include "web/widget_probe.h"

namespace guitest {

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
inline double json_number(const std::string& json, const std::string& key, const std::string& after = "") {
  size_t from = after.empty() ? 0 : json.find(after);
  REQUIRE(from != std::string::npos);
  size_t at = json.find("\"" + key + "\":", from);
  REQUIRE(at != std::string::npos);
  return std::strtod(json.c_str() + at + key.size() + 3, nullptr);
}

// Clicks at (x, y): ImGui samples the mouse once per frame, so move, press and release
// each take a frame of their own; then one frame more for what the click opened.
inline void click_at(Gui& gui, App& app, float x, float y) {
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2(x, y);
  gui.frame(app);
  io.MouseDown[0] = true;
  gui.frame(app);
  io.MouseDown[0] = false;
  gui.frame(app);
  gui.frame(app);
}

// Clicks the middle of the widget labelled `label`.
inline void click(Gui& gui, App& app, const std::string& label) {
  std::string w = cow::web::probe::widgets_json(label);
  INFO("widgets labelled " << label << ": " << w);
  REQUIRE(w.size() > 2);
  float x = float(json_number(w, "x") + json_number(w, "w") / 2), y = float(json_number(w, "y") + json_number(w, "h") / 2);
  click_at(gui, app, x, y);
}

}  // namespace guitest
