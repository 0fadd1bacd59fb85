// The playground's keyboard shortcuts: one table that both the key handler and the help
// windows read, so what the help says is what the keys do. A shortcut pushes a Request
// like the buttons do; it never touches the session.
#pragma once
#include <cstdint>
#include <span>

#include "panels.h"

namespace cow::web {

// Where a shortcut works. The editor (any text input) keeps its own keys; arrows, Space
// and PageUp/PageDown also belong to ImGui's keyboard navigation while its focus ring
// shows (Escape hides it).
enum class KeyScope : uint8_t {
  Anywhere,
  OutsideEditor,   // no text input is being edited
  OutsideWidgets,  // and no widget shows the keyboard focus ring
};

enum class KeyAction : uint8_t { Step, StepBack, Run, First, Last, NextBookmark, LeaveEditor, ToggleKeys };

enum class Modifier : uint8_t { None, Shift, Ctrl };

struct Shortcut {
  const char* keys;    // as the help and docs/embedding.md spell it, e.g. "Shift+F10"
  int scancode;        // SDL scancode (ImGui's key index here); 0: `character` instead
  char character;      // a typed character, e.g. '?', when scancode is 0
  Modifier modifier;
  KeyScope scope;
  KeyAction action;
  const char* what;    // what it does, for the help
};

std::span<const Shortcut> shortcuts();

// Reads this frame's keys and carries out the shortcuts pressed; call once per frame
// after ImGui::NewFrame and before the panels draw.
void handle_shortcuts(UiState& ui);

// The table of shortcuts as an ImGui table (the Help window and the F1 window).
void draw_shortcut_table();
// The "Keyboard" window that F1 or ? toggles (ui.show_keys).
void draw_keys_window(UiState& ui);

}  // namespace cow::web
