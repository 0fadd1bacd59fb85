// Panel 5, physical memory: RAM frame by frame (or 2^zoom frames per cell), coloured by
// kind and mapcount. Hover shows who maps a frame, from a reverse map App builds once per
// step, the first time a hover asks for it.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panels.h"

namespace cow::web {

namespace {

constexpr int kMaxZoom = 16;  // up to 65536 frames per cell

// Who besides PTEs holds the frame: the file or shmem object whose page it is.
std::string cache_owner(const Engine& e, FrameId f, FrameKind kind) {
  if (kind == FrameKind::PageCache) {
    for (const File& file : e.files())
      for (size_t i = 0; i < file.pages.size(); ++i)
        if (file.pages[i] == f) return "page " + std::to_string(i) + " of file '" + file.name + "'";
  } else if (kind == FrameKind::Shmem) {
    const auto& objs = e.shmem_objects();
    for (size_t s = 0; s < objs.size(); ++s)
      for (size_t i = 0; i < objs[s].pages.size(); ++i)
        if (objs[s].pages[i] == f) return "page " + std::to_string(i) + " of shared memory object " + std::to_string(s);
  }
  return "";
}

void mappers(const View& v, FrameId f, uint32_t mapcount) {
  const ReverseMap& rm = v.rmap;
  if (!rm.built) {
    ImGui::TextDisabled("(finding who maps it...)");
    return;
  }
  if (f >= rm.kept.size()) return;
  const auto& procs = v.session->engine().processes();
  for (int i = 0; i < rm.kept[f]; ++i) {
    const ReverseMap::Ref& r = rm.refs[size_t(f) * ReverseMap::kKept + i];
    if (r.proc >= procs.size() || r.proc >= v.mms.size() + procs.size()) continue;
    MmId mm = procs[r.proc].mm;
    const std::string& region = mm < v.mms.size() && r.region < v.mms[mm].regions.size()
                                    ? v.mms[mm].regions[r.region].name : procs[r.proc].name;
    ImGui::Text("  mapped by %s at %s[%u]", procs[r.proc].name.c_str(), region.c_str(), r.page);
  }
  if (mapcount > rm.kept[f]) ImGui::Text("  ... and %u more", mapcount - rm.kept[f]);
}

void frame_tooltip(const View& v, FrameId f, UiState& ui) {
  const Engine& e = v.session->engine();
  if (f >= e.frames().total()) return;
  const Frame& fr = e.frames()[f];
  ui.physical.want_rmap = true;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 34);
  ImGui::Text("frame %u: %s", f, frame_summary(fr).c_str());
  if (fr.kind != FrameKind::Free) {
    std::string owner = cache_owner(e, f, fr.kind);
    if (!owner.empty()) ImGui::Text("  held by the cache as %s", owner.c_str());
    if (fr.tag > 0 && fr.tag - 1 < e.processes().size())
      ImGui::Text("holds %s's write", e.processes()[fr.tag - 1].name.c_str());
    mappers(v, f, fr.mapcount);
  }
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

void cells_tooltip(const View& v, FrameId first, FrameId end) {
  uint32_t count[4] = {}, shared = 0;
  for (FrameId f = first; f < end && f < v.frames.size(); ++f) {
    uint8_t b = v.frames[f];
    ++count[b & frame_bits::kKindMask];
    shared += ((b & frame_bits::kBucketMask) >> frame_bits::kBucketShift) >= 2;
  }
  ImGui::BeginTooltip();
  ImGui::Text("frames %u-%u", first, end - 1);
  const char* names[] = {"free", "anonymous", "page cache", "shmem"};
  for (int k = 0; k < 4; ++k)
    if (count[k]) ImGui::Text("%6u frames %s", count[k], names[k]);
  ImGui::Text("%6u frames with mapcount >= 2", shared);
  ImGui::TextDisabled("zoom in (ctrl + wheel) to see single frames");
  ImGui::EndTooltip();
}

void draw_cell(ImDrawList* dl, ImVec2 a, float size, uint16_t cell, const Palette& pal) {
  uint8_t bits = cell_bits(cell);
  bool free = (bits & frame_bits::kKindMask) == 0;  // a free cell is all free
  draw_fill_cell(dl, a, size, free ? 255 : cell_fill(cell), frame_color(bits, pal), pal.free_frame);
  if (bits & frame_bits::kDirty) draw_marker(dl, a, size, Marker::Dirty, pal);
}

// The texels of the frame cells (cell_image.h): what draw_cell draws, one texel each.
std::vector<uint32_t> frame_texels(const View& v, const figure::Colors& c) {
  std::vector<uint32_t> out;
  out.reserve(v.frame_cells.size());
  for (uint16_t cell : v.frame_cells) {
    uint8_t bits = cell_bits(cell);
    bool free = (bits & frame_bits::kKindMask) == 0;
    out.push_back(cell_texel(figure::frame_color(bits, c), c, free ? 255 : cell_fill(cell),
                             (bits & frame_bits::kDirty) != 0, false));
  }
  return out;
}

// The cells in view, [first, last) rows of `cols`: from the texture, or one by one.
void draw_cells(const View& v, const UiState& ui, const CellGridDraw& d) {
  const Palette& pal = palette(ui.options.dark);
  const figure::Colors& c = *pal.colors;
  if (draw_cell_image(ui.cells, 0, v.cells_version * 2 + ui.options.dark, [&] { return frame_texels(v, c); }, d))
    return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int r = d.first_row; r < d.last_row; ++r)
    for (size_t k = size_t(r) * d.cols; k < std::min<size_t>(d.count, size_t(r + 1) * d.cols); ++k)
      draw_cell(dl, ImVec2(d.origin.x + float(k % d.cols) * d.pitch, d.origin.y + float(r) * d.pitch), d.cell,
                v.frame_cells[k], pal);
  if (d.hover >= 0) {
    ImVec2 a(d.origin.x + float(d.hover % d.cols) * d.pitch, d.origin.y + float(d.hover / d.cols) * d.pitch);
    dl->AddRect(a, ImVec2(a.x + d.cell, a.y + d.cell), d.highlight);
  }
}

void draw_controls(const View& v, UiState& ui, const Palette& pal) {
  PhysicalState& s = ui.physical;
  draw_legend(ui, pal, LegendOf::Frames);
  zoom_controls("auto zoom##phys", "##fzoom", "frame", 11, kMaxZoom, s.zoom, s.auto_zoom);
  ImGui::SameLine();
  ImGui::Checkbox("all of RAM", &s.show_all);
  if (!s.show_all && v.frames_shown < v.frames.size()) {
    ImGui::SameLine();
    ImGui::TextDisabled("frames 0-%u of %zu (the rest are free)", v.frames_shown - 1, v.frames.size());
  }
}

}  // namespace

WidgetRect frame_cell_rect(const View& v, const UiState& ui, std::string_view id) {
  const CellGrid& g = ui.physical.grid;
  if (!id.starts_with("frame:") || id.size() < 7 || id.size() > 16 || g.cols == 0 || v.frames_per_cell == 0) return {};
  uint64_t f = 0;
  for (char c : id.substr(6)) {
    if (c < '0' || c > '9') return {};
    f = f * 10 + uint64_t(c - '0');
  }
  uint64_t cell = f / v.frames_per_cell;
  if (cell >= v.frame_cells.size()) return {};
  float x = g.x0 + float(cell % uint64_t(g.cols)) * g.pitch, y = g.y0 + float(cell / uint64_t(g.cols)) * g.pitch;
  if (y < g.top || y + g.cell > g.bottom) return {};
  return {x, y, g.cell, g.cell};
}

void draw_physical_panel(const View& v, UiState& ui) {
  const Palette& pal = palette(ui.options.dark);
  if (begin_panel("Physical memory", ui.layout.physical)) {
    if (v.valid && v.session && v.frames_per_cell > 0 && !draw_veil(ui)) {
      draw_controls(v, ui, pal);
      begin_cell_map("##frames");
      uint32_t fpc = v.frames_per_cell;
      uint32_t shown = ui.physical.show_all ? uint32_t(v.frames.size()) : v.frames_shown;
      size_t cells = std::min<size_t>(v.frame_cells.size(), (shown + fpc - 1) / fpc);
      float size = 8, pitch = 9, width = ImGui::GetContentRegionAvail().x;
      int cols = std::max(1, int(width / pitch));
      int rows = int((cells + cols - 1) / cols);
      ImVec2 o = ImGui::GetCursorScreenPos();
      float top = ImGui::GetWindowPos().y, bottom = top + ImGui::GetWindowHeight();
      int first = std::max(0, int((top - o.y) / pitch)), last = std::min(rows, int((bottom - o.y) / pitch) + 1);
      ImVec2 m = ImGui::GetMousePos();
      int col = int(std::floor((m.x - o.x) / pitch)), row = int(std::floor((m.y - o.y) / pitch));
      size_t c = size_t(std::max(0, row)) * cols + size_t(std::max(0, col));
      bool hovered = ImGui::IsWindowHovered() && col >= 0 && col < cols && row >= 0 && c < cells;
      draw_cells(v, ui, CellGridDraw{.origin = o, .cell = size, .pitch = pitch, .cols = cols,
                                     .count = uint32_t(cells), .first_row = first, .last_row = last,
                                     .hover = hovered ? int(c) : -1,
                                     .background = im_color(figure::over(pal.colors->free_frame, pal.colors->background)),
                                     .dirty = pal.dirty, .highlight = pal.highlight});
      ImGui::Dummy(ImVec2(width, float(rows) * pitch));
      ui.physical.grid = CellGrid{.x0 = o.x, .y0 = o.y, .pitch = pitch, .cell = size, .top = top, .bottom = bottom,
                                  .cols = cols};
      if (hovered) {
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left))
          inspect(ui, {.kind = InspectKind::Frame, .frame = FrameId(c * fpc)});
        if (fpc == 1) frame_tooltip(v, FrameId(c), ui);
        else cells_tooltip(v, FrameId(c * fpc), FrameId(std::min<size_t>((c + 1) * fpc, v.frames.size())));
      }
      end_cell_map(kMaxZoom, ui.physical.zoom, ui.physical.auto_zoom);
    }
  }
  ImGui::End();
}

}  // namespace cow::web
