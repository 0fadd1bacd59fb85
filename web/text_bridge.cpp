// The text bridge (text_bridge.h), and the C functions web/cowlab-touch.js calls.
#include "web/text_bridge.h"

#include <SDL.h>

#include <algorithm>
#include <deque>
#include <string>

#include "engine/script/json.h"
#include "imgui.h"
#include "imgui_internal.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#else
#define EMSCRIPTEN_KEEPALIVE
#endif

namespace cow::web::text_bridge {

namespace {

constexpr size_t kMaxPending = 256;  // edits waiting; the page sends about one per key

enum class EditKind { Replace, Select };

struct Edit {
  EditKind kind = EditKind::Replace;
  int start = 0, end = 0;
  std::string text;
};

struct Bridge {
  std::deque<Edit> pending;
  bool backspace_down = false;   // released in the next frame
  std::string json;              // field_json()'s last answer
};
Bridge g;

// The text field that has ImGui's keyboard focus, or null.
ImGuiInputTextState* active_field() {
  if (!ImGui::GetCurrentContext()) return nullptr;
  ImGuiContext& c = *ImGui::GetCurrentContext();
  return c.ActiveId != 0 && c.InputTextState.ID == c.ActiveId ? &c.InputTextState : nullptr;
}

void apply(ImGuiInputTextState& field, const Edit& e) {
  int start = std::clamp(e.start, 0, field.CurLenW), end = std::clamp(e.end, start, field.CurLenW);
  field.Stb.select_start = start;
  field.Stb.select_end = end;
  field.Stb.cursor = end;
  field.Stb.has_preferred_x = 0;
  field.CursorFollow = true;
  field.CursorAnimReset();
  if (e.kind == EditKind::Select) return;
  ImGuiIO& io = ImGui::GetIO();
  if (!e.text.empty()) {
    io.AddInputCharactersUTF8(e.text.c_str());
  } else if (start != end) {
    io.KeysDown[SDL_SCANCODE_BACKSPACE] = true;
    g.backspace_down = true;
  }
}

void push(Edit e) {
  if (g.pending.size() < kMaxPending) g.pending.push_back(std::move(e));
}

// {"active":false}, or the active field: {"active":true,"multiline","readonly","text",
// "start","end","pending"} with the selection (or the cursor: start = end) in UTF-16 units.
const std::string& field_json() {
  ImGuiInputTextState* f = active_field();
  script::JsonWriter w;
  w.open('{');
  w.flag("active", f != nullptr);
  if (f) {
    std::string text(size_t(f->CurLenW) * 3 + 1, '\0');
    text.resize(size_t(ImTextStrToUtf8(text.data(), int(text.size()), f->TextW.Data, f->TextW.Data + f->CurLenW)));
    int a = std::min(f->Stb.select_start, f->Stb.select_end), b = std::max(f->Stb.select_start, f->Stb.select_end);
    if (a == b) a = b = f->Stb.cursor;
    w.flag("multiline", (f->Flags & ImGuiInputTextFlags_Multiline) != 0);
    w.flag("readonly", (f->Flags & ImGuiInputTextFlags_ReadOnly) != 0);
    w.text("text", text);
    w.num("start", uint64_t(std::max(a, 0)));
    w.num("end", uint64_t(std::max(b, 0)));
    w.num("pending", g.pending.size() + (g.backspace_down ? 1 : 0));
  }
  w.close('}');
  g.json = std::move(w.out);
  return g.json;
}

}  // namespace

void feed() {
  ImGuiIO& io = ImGui::GetIO();
  if (g.backspace_down) {  // one frame down, one frame up: a single press
    io.KeysDown[SDL_SCANCODE_BACKSPACE] = false;
    g.backspace_down = false;
    return;
  }
  ImGuiInputTextState* field = active_field();
  if (!field) {
    g.pending.clear();
    return;
  }
  if (g.pending.empty()) return;
  Edit e = std::move(g.pending.front());
  g.pending.pop_front();
  apply(*field, e);
}

}  // namespace cow::web::text_bridge

namespace bridge = cow::web::text_bridge;

extern "C" {

// The active text field as JSON (field_json above), for the page's textarea mirror.
EMSCRIPTEN_KEEPALIVE const char* cowlab_text_field() { return bridge::field_json().c_str(); }

// Replaces characters [start, end) of the active field with `size` bytes of UTF-8.
EMSCRIPTEN_KEEPALIVE void cowlab_text_edit(int start, int end, const char* bytes, int size) {
  if (size < 0 || start < 0 || end < start) return;
  std::string text(bytes, size_t(size));
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  bridge::push({bridge::EditKind::Replace, start, end, std::move(text)});
}

// Selects characters [start, end) of the active field (start = end: moves the cursor).
EMSCRIPTEN_KEEPALIVE void cowlab_text_select(int start, int end) {
  if (start >= 0 && end >= start) bridge::push({bridge::EditKind::Select, start, end, {}});
}

}  // extern "C"
