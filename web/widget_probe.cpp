// The test-engine hooks Dear ImGui calls for every item when IMGUI_ENABLE_TEST_ENGINE is
// defined, recording labelled items of the current frame (see widget_probe.h).
#include "widget_probe.h"

#include <cstdarg>
#include <cstdio>
#include <unordered_map>
#include <vector>

#include "engine/script/json.h"
#include "imgui.h"
#include "imgui_internal.h"

namespace cow::web::probe {
namespace {

struct Item {
  ImGuiID id = 0;
  std::string label;
  std::string window;
  ImRect rect;
  ImGuiItemStatusFlags flags = 0;
  bool hovered = false, active = false;
};

// One frame's items. The GUI is single-threaded and has one ImGui context.
struct Frame {
  bool wanted = false;  // recording starts with the first query: no cost for visitors
  std::vector<Item> labelled;
  std::unordered_map<ImGuiID, ImRect> rects;  // every item with an id, by id
};
Frame& frame() {
  static Frame f;
  return f;
}

std::string_view visible_part(std::string_view label) {
  size_t hashes = label.find("##");
  return hashes == std::string_view::npos ? label : label.substr(0, hashes);
}

}  // namespace

void begin_frame() {
  frame().labelled.clear();
  frame().rects.clear();
  ImGui::GetCurrentContext()->TestEngineHookItems = frame().wanted;
}

std::string widgets_json(std::string_view label, float scale) {
  frame().wanted = true;
  std::string out = "[";
  for (const Item& it : frame().labelled) {
    if (!label.empty() && it.label != label && visible_part(it.label) != label) continue;
    // By now every item of the frame is laid out: a tab item reports its label before
    // ImGui places it (TabItemEx), and only the frame's rectangles know where it went.
    auto placed = frame().rects.find(it.id);
    const ImRect& rect = placed != frame().rects.end() ? placed->second : it.rect;
    if (out.size() > 1) out += ',';
    out += "{\"label\":";
    script::append_json_string(out, it.label);
    out += ",\"window\":";
    script::append_json_string(out, it.window);
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  ",\"x\":%.1f,\"y\":%.1f,\"w\":%.1f,\"h\":%.1f,\"hovered\":%s,\"active\":%s,"
                  "\"checked\":%s,\"open\":%s}",
                  rect.Min.x * scale, rect.Min.y * scale, rect.GetWidth() * scale, rect.GetHeight() * scale,
                  it.hovered ? "true" : "false", it.active ? "true" : "false",
                  (it.flags & ImGuiItemStatusFlags_Checked) ? "true" : "false",
                  (it.flags & ImGuiItemStatusFlags_Opened) ? "true" : "false");
    out += buf;
  }
  out += ']';
  return out;
}

}  // namespace cow::web::probe

// --- The hooks ImGui calls (declared in imgui_internal.h) ---------------------------

// Called for every item as it is laid out, clipped or not.
void ImGuiTestEngineHook_ItemAdd(ImGuiContext*, const ImRect& bb, ImGuiID id) {
  cow::web::probe::frame().rects[id] = bb;
}

// Called after a labelled widget (button, checkbox, input, menu, tree node...) was laid
// out and not clipped.
void ImGuiTestEngineHook_ItemInfo(ImGuiContext* ctx, ImGuiID id, const char* label,
                                  ImGuiItemStatusFlags flags) {
  auto& f = cow::web::probe::frame();
  if (label == nullptr || id == 0) return;
  cow::web::probe::Item it;
  it.id = id;
  it.label = label;
  it.window = ctx->CurrentWindow ? ctx->CurrentWindow->Name : "";
  auto r = f.rects.find(id);
  it.rect = r != f.rects.end() ? r->second : ctx->LastItemData.Rect;
  it.flags = flags;
  it.hovered = ctx->HoveredId == id || ctx->HoveredIdPreviousFrame == id;
  it.active = ctx->ActiveId == id;
  f.labelled.push_back(std::move(it));
}

void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}

const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID id) {
  for (const auto& it : cow::web::probe::frame().labelled)
    if (it.id == id) return it.label.c_str();
  return nullptr;
}
