// Browser only: redraws only the part of the canvas that changed since the last frame.
//
// In software WebGL (SwiftShader) a frame costs about 1 µs per quad and 25-50 ns per
// pixel filled, and ImGui redraws the whole window every frame (docs/performance.md:
// "Frames in software WebGL"). The canvas keeps its pixels between frames
// (preserveDrawingBuffer), so a frame can clear and draw only the union of the bounding
// boxes of the ImGui draw lists whose content changed (their old and new boxes), with
// every draw command's clip rectangle cut to it; a frame where nothing changed draws
// nothing at all.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "imgui.h"

namespace cow::web::partial {

// What to redraw, in ImGui display coordinates.
struct Damage {
  enum Kind : uint8_t { Nothing, Part, All } kind = All;
  ImVec4 rect;  // x0, y0, x1, y1 when kind == Part
};

class Tracker {
 public:
  // Compares `dd`'s draw lists with those of the last call. `state` stands for everything
  // else the picture depends on (clear colour, canvas size, textures uploaded): a change
  // of it redraws all. A list drawn with a user callback (the cell shader, whose uniforms
  // are not in the list) counts as changed.
  Damage damage(const ImDrawData* dd, uint64_t state);

 private:
  struct ListState {
    uint64_t hash = 0;
    ImVec4 box;
    bool seen = false;
  };
  std::unordered_map<const ImDrawList*, ListState> last_;  // the last frame's lists
  uint64_t state_ = 0;
  bool started_ = false;
};

// Cuts the clip rectangle of every command of `dd` to `r` (commands wholly outside it are
// then skipped by the backend) and sets the GL scissor to `r` for the clear.
void clip_to(ImDrawData* dd, const ImVec4& r, int fb_width, int fb_height);

}  // namespace cow::web::partial
