// A map of cells (the page map's regions, physical memory) drawn from a texture: one
// texel per cell, uploaded only when the cells or the theme change, and a small shader
// that draws the grid, the fill level, the dirty corner, the COW stroke and the hover
// outline per pixel. A frame then costs one quad per map instead of a few rectangles per
// cell (tens of thousands of triangles in software WebGL).
//
// The platform (web/cell_renderer_gl.cpp: OpenGL 3 natively, WebGL2 in the browser)
// implements CellRenderer and hands it to the App (Platform::cell_renderer); without one
// (the App's tests, ImGui headless) the panels draw each cell as ImGui rectangles.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/figure/colors.h"
#include "imgui.h"

namespace cow::web {

// Where and how one map's cells are drawn this frame, in ImGui display coordinates.
struct CellGridDraw {
  ImVec2 origin;              // top left of cell 0
  float cell = 8, pitch = 9;  // cell size and distance between cells
  int cols = 1;
  uint32_t count = 0;         // cells drawn (cell i at row i / cols, column i % cols)
  int first_row = 0, last_row = 0;  // the rows in view, [first, last)
  int hover = -1;             // the cell under the mouse, outlined; -1: none
  ImU32 background = 0;       // above a partly filled cell
  ImU32 dirty = 0, cow_wp = 0, highlight = 0;
};

class CellRenderer {
 public:
  virtual ~CellRenderer() = default;
  // True when texture `key` holds `version` (no upload needed).
  virtual bool has(uint64_t key, uint64_t version) const = 0;
  // Makes texture `key` hold `texels` (cell_texel); false when it cannot (too many cells).
  virtual bool upload(uint64_t key, uint64_t version, std::span<const uint32_t> texels) = 0;
  // Draws the cells of texture `key` into `dl` (a quad over the rows in view).
  virtual void draw(ImDrawList* dl, uint64_t key, const CellGridDraw& d) = 0;
  // Called once per frame before the UI is built (drops what the last frame drew).
  virtual void begin_frame() = 0;
  // Textures uploaded so far (the picture changed even where no vertex did).
  virtual uint64_t uploads() const = 0;
};

// A cell's texel: its opaque colour over the panels' background (RGB, as ImU32 bytes) and
// in alpha its fill level (fill / 4, 0-63) and flags (1: dirty, 2: write-protected for COW).
inline uint32_t cell_texel(figure::Rgba color, const figure::Colors& c, uint8_t fill, bool dirty, bool cow_wp) {
  figure::Rgba o = figure::over(color, c.background);
  uint32_t alpha = uint32_t(fill >> 2) << 2 | (dirty ? 1u : 0u) | (cow_wp ? 2u : 0u);
  return uint32_t(o.r) | uint32_t(o.g) << 8 | uint32_t(o.b) << 16 | alpha << 24;
}

}  // namespace cow::web

namespace cow::web {

// Draws `d` from texture `key` into the current window, first uploading `texels()` when
// the texture does not hold `version`. False when there is no renderer or it cannot hold
// the cells: then the caller draws them one by one.
template <class Texels>
bool draw_cell_image(CellRenderer* r, uint64_t key, uint64_t version, Texels&& texels, const CellGridDraw& d) {
  if (r == nullptr) return false;
  if (!r->has(key, version)) {
    std::vector<uint32_t> t = texels();
    if (!r->upload(key, version, t)) return false;
  }
  r->draw(ImGui::GetWindowDrawList(), key, d);
  return true;
}

}  // namespace cow::web
