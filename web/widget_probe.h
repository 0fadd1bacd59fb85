// Where each labelled ImGui widget was drawn in the last frame, for the browser and native
// GUI tests: they aim clicks at a button by its label and check its state, without
// hard-coding a layout. Built on Dear ImGui's test-engine item hooks
// (IMGUI_ENABLE_TEST_ENGINE), so the panels need no test code.
#pragma once
#include <string>
#include <string_view>

namespace cow::web::probe {

// Starts recording a new frame; call right after ImGui::NewFrame().
void begin_frame();

// JSON array of the widgets drawn in the last frame whose label, or the visible part of
// it (before "##"), equals `label`; all of them when `label` is empty. Each entry is
// {"label","window","x","y","w","h","hovered","active","checked","open"}, in ImGui
// coordinates times `scale` (the UI scale: CSS pixels of the canvas in the browser).
std::string widgets_json(std::string_view label, float scale = 1);

}  // namespace cow::web::probe
