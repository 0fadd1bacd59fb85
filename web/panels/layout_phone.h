// The layout of phones held upright: windows narrower than kPhoneWidth CSS pixels stack
// every panel in one column, the editor with its Run / Step / Step back / Reset bar first,
// so the step controls never leave the screen (the panels do not scroll the page).
#pragma once
#include "imgui.h"

namespace cow::web {

struct Layout;
struct UiState;
struct View;

constexpr float kPhoneWidth = 480;

// The column, top to bottom: editor, headline, About, steps, processes (or, during a quiz,
// the quiz tabs), page map. Events, physical memory and the timeline are left out.
Layout phone_layout(const View& v, const UiState& ui, ImVec2 display, size_t processes);

}  // namespace cow::web
