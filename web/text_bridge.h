// The on-screen keyboard's way into Dear ImGui. A canvas raises no keyboard on a phone, so
// the page (web/cowlab-touch.js) focuses a hidden <textarea> that mirrors the active ImGui
// text field (the script editor, a quiz answer): its text and its selection. What the
// visitor does in the textarea comes back here as edits, "replace characters [start, end)
// with this text" or "select [start, end)", each applied to the field in its own frame:
//   - the selection is set on the field's ImGuiInputTextState (ImGui's stb_textedit state);
//   - the text goes in as typed characters (replacing the selection), so the field's own
//     rules (read-only, character filters, undo, its resize callback) still hold;
//   - a deletion is the selection followed by one Backspace press.
// Positions count UTF-16 code units, as the textarea does; ImGui 1.86 keeps 16-bit
// characters, so the two agree for every character of the Basic Multilingual Plane.
#pragma once

namespace cow::web::text_bridge {

// Once per frame, between the backends' NewFrame and ImGui::NewFrame: applies the next edit.
void feed();

}  // namespace cow::web::text_bridge
