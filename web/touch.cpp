// Touch input for the playground (touch.h): a tap, a drag or a pinch, one gesture at a time.
#include "web/touch.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "imgui.h"

namespace cow::web::touch {

namespace {

constexpr float kTapSlop = 10;        // CSS px a finger may move and still tap
constexpr float kPxPerWheelNotch = 65;  // ImGui scrolls 5 lines of 13 px per wheel notch

enum class Gesture { None, Tap, Scroll, Pinch, Done };

struct Finger {
  SDL_FingerID id = 0;
  ImVec2 start, pos;
};

struct State {
  bool owns_mouse = false;     // a finger moved the pointer last (not a mouse)
  Gesture gesture = Gesture::None;
  Finger fingers[2];
  int count = 0;
  ImVec2 mouse{-FLT_MAX, -FLT_MAX};
  int click_frames = 0;        // 2: button down this frame, 1: up this frame
  ImVec2 wheel{0, 0};          // notches to scroll, accumulated between frames
  float pinch_start = 0;       // distance of the two fingers when the pinch began
  int pinch_notches = 0;       // zoom notches sent for this pinch so far
  int zoom_pending = 0;        // notches still to send (one per frame), + = zoom in
  bool ctrl_forced = false;    // feed() held Ctrl down last frame
};
State g;

ImVec2 at(const SDL_TouchFingerEvent& f) {
  ImVec2 size = ImGui::GetIO().DisplaySize;
  return ImVec2(f.x * size.x, f.y * size.y);
}

float distance(ImVec2 a, ImVec2 b) { return std::hypot(a.x - b.x, a.y - b.y); }
ImVec2 centre() {
  return ImVec2((g.fingers[0].pos.x + g.fingers[1].pos.x) / 2, (g.fingers[0].pos.y + g.fingers[1].pos.y) / 2);
}

Finger* find(SDL_FingerID id) {
  for (int i = 0; i < g.count; ++i)
    if (g.fingers[i].id == id) return &g.fingers[i];
  return nullptr;
}

void finger_down(const SDL_TouchFingerEvent& f) {
  g.owns_mouse = true;
  if (g.count == 2 || find(f.fingerId)) return;  // a third finger is ignored
  g.fingers[g.count++] = {f.fingerId, at(f), at(f)};
  if (g.count == 1) {
    g.gesture = Gesture::Tap;
    g.mouse = at(f);
  } else {
    g.gesture = Gesture::Pinch;
    g.pinch_start = std::max(1.0f, distance(g.fingers[0].pos, g.fingers[1].pos));
    g.pinch_notches = 0;
  }
}

void finger_motion(const SDL_TouchFingerEvent& f) {
  Finger* finger = find(f.fingerId);
  if (!finger) return;
  ImVec2 before = finger->pos;
  finger->pos = at(f);
  if (g.gesture == Gesture::Tap && distance(finger->pos, finger->start) > kTapSlop) g.gesture = Gesture::Scroll;
  if (g.gesture == Gesture::Scroll) {
    g.wheel.x += (finger->pos.x - before.x) / kPxPerWheelNotch;
    g.wheel.y += (finger->pos.y - before.y) / kPxPerWheelNotch;
  } else if (g.gesture == Gesture::Pinch && g.count == 2) {
    // Spreading the fingers to twice their distance zooms in one notch (half the pages
    // per cell); pinching them to half zooms out one.
    int notches = int(std::floor(std::log2(distance(g.fingers[0].pos, g.fingers[1].pos) / g.pinch_start) + 0.5f));
    g.zoom_pending += notches - g.pinch_notches;
    g.pinch_notches = notches;
    g.mouse = centre();
  }
}

void finger_up(const SDL_TouchFingerEvent& f) {
  Finger* finger = find(f.fingerId);
  if (!finger) return;
  if (g.gesture == Gesture::Tap && g.count == 1) {
    g.mouse = finger->start;
    g.click_frames = 2;
  }
  *finger = g.fingers[g.count - 1];
  --g.count;
  // Lifting one finger of a pinch ends the gesture, not a new drag.
  g.gesture = g.count == 0 ? Gesture::None : Gesture::Done;
}

}  // namespace

void init() { SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0"); }

void process(const SDL_Event& e) {
  switch (e.type) {
    case SDL_FINGERDOWN: finger_down(e.tfinger); break;
    case SDL_FINGERMOTION: finger_motion(e.tfinger); break;
    case SDL_FINGERUP: finger_up(e.tfinger); break;
    case SDL_MOUSEMOTION:
      if (e.motion.which != SDL_TOUCH_MOUSEID) g.owns_mouse = false;
      break;
    default: break;
  }
}

void feed() {
  ImGuiIO& io = ImGui::GetIO();
  if (g.ctrl_forced) {  // Ctrl back to what the keyboard says
    io.KeyCtrl = (SDL_GetModState() & KMOD_CTRL) != 0;
    g.ctrl_forced = false;
  }
  if (!g.owns_mouse) return;
  if (g.count > 0 && g.gesture != Gesture::Pinch) g.mouse = g.fingers[0].pos;
  io.MousePos = g.mouse;
  io.MouseDown[0] = g.click_frames == 2;
  if (g.click_frames > 0) --g.click_frames;
  // A finger moving up pulls the content up: the view scrolls down, as a wheel turned
  // towards the visitor does (negative notches).
  io.MouseWheel += g.wheel.y;
  io.MouseWheelH += g.wheel.x;
  g.wheel = ImVec2(0, 0);
  if (g.zoom_pending != 0) {  // one notch per frame: each is one zoom step of the map
    int notch = g.zoom_pending > 0 ? 1 : -1;
    io.KeyCtrl = true;
    io.MouseWheel = float(notch);
    g.zoom_pending -= notch;
    g.ctrl_forced = true;
  }
}

}  // namespace cow::web::touch
