// The keyboard shortcuts (keys.h): F10 steps as in a debugger, presentation clickers send
// PageDown/PageUp or the arrows, and F1 or ? lists them all.
#include "keys.h"

#include <SDL_scancode.h>

#include <climits>

#include "imgui_internal.h"

namespace cow::web {

namespace {

constexpr Shortcut kShortcuts[] = {
    {"F10", SDL_SCANCODE_F10, 0, Modifier::None, KeyScope::Anywhere, KeyAction::Step, "one step forward"},
    {"Shift+F10", SDL_SCANCODE_F10, 0, Modifier::Shift, KeyScope::Anywhere, KeyAction::StepBack, "one step back"},
    {"Ctrl+Enter", SDL_SCANCODE_RETURN, 0, Modifier::Ctrl, KeyScope::Anywhere, KeyAction::Run,
     "run the editor's script to the end"},
    {"Home", SDL_SCANCODE_HOME, 0, Modifier::None, KeyScope::OutsideEditor, KeyAction::First,
     "the first step (before the first statement)"},
    {"End", SDL_SCANCODE_END, 0, Modifier::None, KeyScope::OutsideEditor, KeyAction::Last, "the last step"},
    {"PageDown", SDL_SCANCODE_PAGEDOWN, 0, Modifier::None, KeyScope::OutsideWidgets, KeyAction::Step,
     "one step forward (presentation clicker)"},
    {"Right", SDL_SCANCODE_RIGHT, 0, Modifier::None, KeyScope::OutsideWidgets, KeyAction::Step, "one step forward"},
    {"Space", SDL_SCANCODE_SPACE, 0, Modifier::None, KeyScope::OutsideWidgets, KeyAction::Step, "one step forward"},
    {"PageUp", SDL_SCANCODE_PAGEUP, 0, Modifier::None, KeyScope::OutsideWidgets, KeyAction::StepBack,
     "one step back (presentation clicker)"},
    {"Left", SDL_SCANCODE_LEFT, 0, Modifier::None, KeyScope::OutsideWidgets, KeyAction::StepBack, "one step back"},
    {"B", 0, 'b', Modifier::None, KeyScope::OutsideEditor, KeyAction::NextBookmark, "the next bookmark (show)"},
    {"Escape", SDL_SCANCODE_ESCAPE, 0, Modifier::None, KeyScope::Anywhere, KeyAction::LeaveEditor,
     "leave the editor (keeps the text), or hide the focus ring"},
    {"F1", SDL_SCANCODE_F1, 0, Modifier::None, KeyScope::Anywhere, KeyAction::ToggleKeys, "show or hide this list"},
    {"?", 0, '?', Modifier::None, KeyScope::OutsideEditor, KeyAction::ToggleKeys, "show or hide this list"},
};

bool modifier_held(Modifier m, const ImGuiIO& io) {
  bool ctrl = io.KeyCtrl || io.KeySuper;  // Cmd on a Mac
  switch (m) {
    case Modifier::None: return !ctrl && !io.KeyShift && !io.KeyAlt;
    case Modifier::Shift: return !ctrl && io.KeyShift && !io.KeyAlt;
    case Modifier::Ctrl: return ctrl && !io.KeyShift && !io.KeyAlt;
  }
  return false;
}

bool in_scope(KeyScope s, const ImGuiIO& io) {
  switch (s) {
    case KeyScope::Anywhere: return true;
    case KeyScope::OutsideEditor: return !io.WantTextInput;
    case KeyScope::OutsideWidgets: return !io.WantTextInput && !io.NavVisible;
  }
  return false;
}

bool typed(char c, const ImGuiIO& io) {
  for (ImWchar w : io.InputQueueCharacters)
    if (w == ImWchar(c)) return true;
  return false;
}

bool pressed(const Shortcut& s, const ImGuiIO& io) {
  if (!in_scope(s.scope, io)) return false;
  if (s.scancode == 0) return typed(s.character, io);  // the layout decides the modifiers
  bool repeat = s.action == KeyAction::Step || s.action == KeyAction::StepBack;
  return modifier_held(s.modifier, io) && ImGui::IsKeyPressed(s.scancode, repeat);
}

// The key press is the shortcut's: ImGui's keyboard navigation, which read the same keys
// in NewFrame, neither moves its focus ring nor presses the widget under it.
void claim_key() {
  ImGuiContext& g = *ImGui::GetCurrentContext();
  ImGui::NavMoveRequestCancel();
  g.NavActivateId = g.NavActivateDownId = g.NavActivatePressedId = g.NavActivateInputId = 0;
  g.NavDisableHighlight = true;
}

void perform(KeyAction a, UiState& ui) {
  claim_key();
  switch (a) {
    case KeyAction::Step: ui.requests.push_back({Command::Step}); break;
    case KeyAction::StepBack: ui.requests.push_back({Command::StepBack}); break;
    case KeyAction::Run: ui.requests.push_back({Command::Run}); break;
    case KeyAction::First: ui.requests.push_back({Command::Reset}); break;
    case KeyAction::Last: ui.requests.push_back({Command::StepTo, LONG_MAX}); break;
    case KeyAction::NextBookmark: ui.requests.push_back({Command::NextBookmark}); break;
    case KeyAction::ToggleKeys: ui.show_keys = !ui.show_keys; break;
    case KeyAction::LeaveEditor:
      // Before the editor draws, so its own Escape (which would undo the edits made
      // since it was entered) never sees the key; the text stays as typed.
      if (ImGui::GetIO().WantTextInput) ImGui::ClearActiveID();
      break;
  }
}

}  // namespace

std::span<const Shortcut> shortcuts() { return kShortcuts; }

void handle_shortcuts(UiState& ui) {
  const ImGuiIO& io = ImGui::GetIO();
  for (const Shortcut& s : kShortcuts) {
    if (!pressed(s, io)) continue;
    perform(s.action, ui);
    if (s.action == KeyAction::ToggleKeys) break;  // F1 and ? in one frame: one toggle
  }
}

void draw_shortcut_table() {
  if (!ImGui::BeginTable("##shortcuts", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) return;
  for (const Shortcut& s : kShortcuts) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(s.keys);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(s.what);
    if (s.scope != KeyScope::Anywhere) {
      ImGui::SameLine();
      ImGui::TextDisabled(s.scope == KeyScope::OutsideEditor ? "(outside the editor)" : "(outside the editor and widgets)");
    }
  }
  ImGui::EndTable();
}

void draw_keys_window(UiState& ui) {
  if (!ui.show_keys) return;
  ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (ImGui::Begin("Keyboard", &ui.show_keys, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
    draw_shortcut_table();
    ImGui::TextDisabled("Tab and the arrows move the focus ring between widgets; Space or Enter press one.");
    if (ImGui::Button("Close")) ui.show_keys = false;
  }
  ImGui::End();
}

}  // namespace cow::web
