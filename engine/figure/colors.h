// The colours of the maps of memory and their legend, in one table for the web page's
// panels and the figures (svg.h): the colour of each page and frame state (page_states.h),
// the process colours, and the state names the legends print. Pure data: the web page
// turns a colour into ImGui's packed form, a figure into "#rrggbb".
#pragma once
#include <cstdint>
#include <vector>

namespace cow::figure {

struct Rgba {
  uint8_t r = 0, g = 0, b = 0, a = 255;
  bool operator==(const Rgba&) const = default;
};

enum class Theme : uint8_t { Light, Dark };

struct Colors {
  Rgba background, text;                        // the panels' background and text
  Rgba absent, unmapped, zero, priv, shared[8], file[8], shmem[8];  // by mapcount bucket
  Rgba dirty, cow_wp, free_frame, grid, text_dim, huge;
  Rgba series[10];                              // process colours (process_color)
};
const Colors& colors(Theme theme);

// The colour of a page byte (page_bits) and of a frame byte (frame_bits).
Rgba page_color(uint8_t page, const Colors& c);
Rgba frame_color(uint8_t frame, const Colors& c);
Rgba process_color(uint32_t proc_id, const Colors& c);
// `c` drawn over the opaque `under` (alpha blending), opaque.
Rgba over(Rgba c, Rgba under);

// A cell's flag marker: a red corner for dirty, a diagonal stroke for COW write-protect,
// an outline for a huge PMD (solid) or a split huge page (dashed).
enum class Marker : uint8_t { None, Dirty, CowWp, HugePmd, HugeSplit };

// The legend of the page map (LegendOf::Pages) or of physical memory (LegendOf::Frames):
// one table, so the two maps, in the web page and in figures, name a state the same way.
enum class LegendOf : uint8_t { Pages, Frames };
struct LegendRow {
  Rgba color;                 // the swatch (the first of `ramp` when there is one)
  const char* label;
  Marker marker = Marker::None;
  std::vector<Rgba> ramp;     // mapcount 2, 3-4, 5-8, 9-16, 17-64, 65+ (darker with the mapcount)
  const char* tip = nullptr;  // the glossary entry that explains it (engine/teach/glossary.h)
};
std::vector<LegendRow> legend(const Colors& c, LegendOf which);

// A short name of the state of a page byte or frame byte, for a figure's cells (its
// class): "absent", "zero", "anon-private", "anon-shared", "file", "shmem", "unmapped";
// for frames "free", "anon-private", "anon-shared", "anon-unmapped" (mapcount 0),
// "page-cache", "shmem".
const char* page_state_name(uint8_t page);
const char* frame_state_name(uint8_t frame);

}  // namespace cow::figure
