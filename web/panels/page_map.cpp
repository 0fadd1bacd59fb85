// Panel 4, the page map: per process and region, one cell per page (or per 2^zoom pages
// beyond a few thousand), coloured by state: absent, zero page, private, shared (darker
// as the mapcount grows), file, shmem; a red corner marks dirty, a stroke marks a page
// write-protected for COW. Hover tells the page in smaps' words (page_summary) and whose
// write it holds.
// Only the rows in view are drawn; the cells come ready-made from the View.
#include <algorithm>
#include <cstdio>

#include "panels.h"

namespace cow::web {

namespace {

struct Geometry {
  float cell = 10, pitch = 11, label_w = 90, line_h = 13;
  int cols = 1;
};

// One block of the map: a process header or one region's cell rows.
struct Item {
  const ProcRow* row = nullptr;
  int region = -1;  // -1: the process header
  int rows = 0;     // cell rows
  float y = 0, h = 0;
};

std::vector<Item> layout_items(const View& v, const UiState& ui, const Geometry& g) {
  std::vector<Item> items;
  float y = 0;
  int only = ui.page_map.only_process;
  MmId only_mm = only >= 0 && size_t(only) < v.session->engine().processes().size()
                     ? v.session->engine().processes()[only].mm : kNone;
  for (const ProcRow& r : v.procs) {
    bool live = r.state == ProcState::Running || r.state == ProcState::Suspended;
    if (!live || (only >= 0 ? r.mm != only_mm || (r.thread && int(r.id) != only) : r.thread)) continue;
    items.push_back({&r, -1, 0, y, g.line_h + 4});
    y += g.line_h + 4;
    if (r.mm >= v.mms.size() || !v.mms[r.mm].built) continue;
    const auto& regions = v.mms[r.mm].regions;
    for (int k = 0; k < int(regions.size()); ++k) {
      int cells = int(regions[k].cells.size());
      int rows = (cells + g.cols - 1) / g.cols;
      float h = std::max(g.line_h * 2, float(rows) * g.pitch) + 4;
      items.push_back({&r, k, rows, y, h});
      y += h;
    }
  }
  return items;
}

void draw_cell(ImDrawList* dl, ImVec2 a, float size, uint16_t cell, const Palette& pal) {
  uint8_t bits = cell_bits(cell);
  auto kind = page_bits::kind(bits);
  if (kind <= page_bits::Absent) {
    dl->AddRectFilled(a, ImVec2(a.x + size, a.y + size), kind == page_bits::Absent ? pal.absent : pal.unmapped);
    return;
  }
  draw_fill_cell(dl, a, size, cell_fill(cell), page_color(bits, pal), pal.absent);
  if (bits & page_bits::kDirty) draw_marker(dl, a, size, Marker::Dirty, pal);
  if (bits & page_bits::kCowWp) draw_marker(dl, a, size, Marker::CowWp, pal);
}

// The texels of a region's cells (cell_image.h): what draw_cell draws, one texel each.
std::vector<uint32_t> region_texels(const RegionMap& r, const figure::Colors& c) {
  std::vector<uint32_t> out;
  out.reserve(r.cells.size());
  for (uint16_t cell : r.cells) {
    uint8_t bits = cell_bits(cell);
    auto kind = page_bits::kind(bits);
    if (kind <= page_bits::Absent)
      out.push_back(cell_texel(kind == page_bits::Absent ? c.absent : c.unmapped, c, 255, false, false));
    else
      out.push_back(cell_texel(figure::page_color(bits, c), c, cell_fill(cell), (bits & page_bits::kDirty) != 0,
                               (bits & page_bits::kCowWp) != 0));
  }
  return out;
}

// The cell under the mouse: its block of the map and index; item == nullptr when none.
struct Hit {
  const Item* item = nullptr;
  size_t cell = 0;
};

Hit locate(const View& v, const std::vector<Item>& items, ImVec2 o, const Geometry& g, ImVec2 m) {
  for (const Item& it : items) {
    if (m.y < o.y + it.y || m.y >= o.y + it.y + it.h) continue;
    if (it.region < 0) return {&it, 0};
    int col = int((m.x - o.x - g.label_w) / g.pitch), row = int((m.y - o.y - it.y) / g.pitch);
    if (m.x < o.x + g.label_w || col >= g.cols || row < 0 || row >= it.rows) return {&it, SIZE_MAX};
    size_t cell = size_t(row) * g.cols + col;
    return {&it, cell < v.mms[it.row->mm].regions[it.region].cells.size() ? cell : SIZE_MAX};
  }
  return {};
}

void draw_header(const View& v, const Item& it, ImVec2 o, float width, const UiState& ui, const Palette& pal) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ProcRow& r = *it.row;
  ImVec2 a(o.x, o.y + it.y), b(o.x + width, o.y + it.y + it.h - 2);
  if (ui.hovered_process == int(r.id)) dl->AddRectFilled(a, b, pal.current_line);
  dl->AddRectFilled(ImVec2(a.x, a.y + 2), ImVec2(a.x + 4, b.y), process_color(r.id, pal));
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s  pid %u   in pages: Rss %u  Pss %s  Shared %u  Private %u", r.name.c_str(), r.pid,
                r.now.rss, pss_text(r.now.pss).c_str(), r.now.shared, r.now.priv);
  dl->AddText(ImVec2(a.x + 8, a.y + 2), ImGui::GetColorU32(ImGuiCol_Text), buf);
  if (r.mm >= v.mms.size() || !v.mms[r.mm].built)
    dl->AddText(ImVec2(a.x + 8 + ImGui::CalcTextSize(buf).x + 16, a.y + 2), pal.text_dim,
                "(too many pages to draw them all: click it in Processes)");
}

// Outlines each THP extent of a region: around its cells, one rectangle per cell row it
// covers (solid for a huge PMD, dashed once split); when one cell covers a whole extent
// or more, the cell gets the marker instead.
void draw_huge_extents(const View& v, const RegionMap& r, ImVec2 grid, const Geometry& g, int first_row,
                       int last_row, const Palette& pal) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  uint32_t ppc = std::max<uint32_t>(1, v.pages_per_cell);
  size_t cols = size_t(g.cols);
  if (cols == 0) return;
  // Only the extents on the visible rows (a region may hold thousands).
  uint64_t first_page = uint64_t(first_row) * cols * ppc;
  auto from = std::lower_bound(r.huge.begin(), r.huge.end(), first_page, [](const HugeExtent& x, uint64_t p) {
    return uint64_t(x.first_page) + kHugePages <= p;
  });
  for (auto it = from; it != r.huge.end(); ++it) {
    const HugeExtent& x = *it;
    bool split = x.state == HugeState::Split;
    size_t c0 = x.first_page / ppc;
    if (c0 / cols >= size_t(std::max(0, last_row))) break;
    size_t c1 = std::min(r.cells.size(), size_t((x.first_page + kHugePages - 1) / ppc) + 1);
    for (size_t c = c0; c < c1;) {
      size_t row = c / cols, end = std::min(c1, (row + 1) * cols);
      if (int(row) >= first_row && int(row) < last_row) {
        ImVec2 a(grid.x + float(c % cols) * g.pitch, grid.y + float(row) * g.pitch);
        if (ppc >= kHugePages) {
          draw_marker(dl, a, g.cell, split ? Marker::HugeSplit : Marker::HugePmd, pal);
        } else {
          ImVec2 b(grid.x + float(end - row * cols) * g.pitch - 1, a.y + g.cell);
          if (split) draw_dashed_rect(dl, a, b, pal.huge);
          else dl->AddRect(ImVec2(a.x - 0.5f, a.y - 0.5f), ImVec2(b.x + 0.5f, b.y + 0.5f), pal.huge, 0, 0, 2.0f);
        }
      }
      c = end;
    }
  }
}

void draw_region(const View& v, const Item& it, ImVec2 o, const Geometry& g, float top, float bottom,
                 const UiState& ui, const Hit& hit) {
  const Palette& pal = palette(ui.options.dark);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const RegionMap& r = v.mms[it.row->mm].regions[it.region];
  float y0 = o.y + it.y;
  char info[64];
  std::snprintf(info, sizeof info, "%s %s", r.backing == Backing::File ? "file" : "anon",
                r.share == Share::Shared ? "shared" : "private");
  dl->PushClipRect(ImVec2(o.x, y0), ImVec2(o.x + g.label_w - 6, y0 + it.h), true);
  dl->AddText(ImVec2(o.x + 8, y0), ImGui::GetColorU32(ImGuiCol_Text), r.name.c_str());
  dl->AddText(ImVec2(o.x + 8, y0 + g.line_h), pal.text_dim, info);
  dl->PopClipRect();
  int first = std::max(0, int((top - y0) / g.pitch));
  int last = std::min(it.rows, int((bottom - y0) / g.pitch) + 1);
  float x0 = o.x + g.label_w;
  int hover = hit.item == &it && hit.cell != SIZE_MAX ? int(hit.cell) : -1;
  const figure::Colors& c = *pal.colors;
  CellGridDraw d{.origin = ImVec2(x0, y0), .cell = g.cell, .pitch = g.pitch, .cols = g.cols,
                 .count = uint32_t(r.cells.size()), .first_row = first, .last_row = last, .hover = hover,
                 .background = im_color(figure::over(c.absent, c.background)), .dirty = pal.dirty,
                 .cow_wp = pal.cow_wp, .highlight = pal.highlight};
  uint64_t key = (uint64_t(it.row->mm) + 1) << 24 | uint64_t(it.region);
  if (!draw_cell_image(ui.cells, key, v.cells_version * 2 + ui.options.dark, [&] { return region_texels(r, c); }, d)) {
    for (int row = first; row < last; ++row) {
      size_t c0 = size_t(row) * g.cols, c1 = std::min(r.cells.size(), c0 + g.cols);
      for (size_t k = c0; k < c1; ++k)
        draw_cell(dl, ImVec2(x0 + float(k - c0) * g.pitch, y0 + float(row) * g.pitch), g.cell, r.cells[k], pal);
    }
    if (hover >= 0) {
      ImVec2 a(x0 + float(hover % g.cols) * g.pitch, y0 + float(hover / g.cols) * g.pitch);
      dl->AddRect(a, ImVec2(a.x + g.cell, a.y + g.cell), pal.highlight);
    }
  }
  draw_huge_extents(v, r, ImVec2(x0, y0), g, first, last, pal);
}

// The page's facts looked up now (page_entry) and told by page_summary in smaps' words,
// then whose write its frame holds.
void page_tooltip(const View& v, const ProcRow& row, const RegionMap& r, uint32_t page) {
  const Engine& e = v.session->engine();
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 34);
  ImGui::Text("%s  %s[%u]", row.name.c_str(), r.name.c_str(), page);
  std::optional<PageEntry> pe;
  if (row.mm < e.address_spaces().size() && r.mapping < e.address_spaces()[row.mm].mappings.size())
    pe = page_entry(e, row.id, e.address_spaces()[row.mm].mappings[r.mapping].name, page);
  if (!pe) {
    ImGui::TextUnformatted("not mapped (munmap or dontfork)");
  } else {
    ImGui::TextUnformatted(page_summary(*pe).c_str());
    const auto& procs = e.processes();
    uint32_t tag = pe->present && pe->frame < e.frames().total() ? uint32_t(e.frames()[pe->frame].tag) : 0;
    if (tag > 0 && tag - 1 < procs.size()) ImGui::Text("holds %s's write", procs[tag - 1].name.c_str());
    else if (pe->present) ImGui::TextUnformatted("holds zeros or file data");
  }
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

void cells_tooltip(const ProcRow& row, const RegionMap& r, uint32_t first, uint32_t end) {
  uint32_t count[page_bits::kKinds] = {}, dirty = 0, wp = 0;
  for (uint32_t q = first; q < end && q < r.page.size(); ++q) {
    ++count[page_bits::kind(r.page[q])];
    dirty += (r.page[q] & page_bits::kDirty) != 0;
    wp += (r.page[q] & page_bits::kCowWp) != 0;
  }
  ImGui::BeginTooltip();
  ImGui::Text("%s  %s[%u-%u]", row.name.c_str(), r.name.c_str(), first, end - 1);
  const char* names[] = {"not mapped", "not present", "zero page", "anonymous", "page cache", "shmem"};
  for (int k = 0; k < page_bits::kKinds; ++k)
    if (count[k]) ImGui::Text("%6u pages %s", count[k], names[k]);
  ImGui::Text("%6u pages dirty, %u write-protected for COW", dirty, wp);
  ImGui::TextDisabled("zoom in (ctrl + wheel) to see single pages");
  ImGui::EndTooltip();
}

// Hover shows a tooltip; a click opens the inspector on the page (the first of a cell).
void hover(const View& v, const Hit& hit, UiState& ui) {
  if (hit.item == nullptr) return;
  const Item& it = *hit.item;
  ui.hover_next = int(it.row->id);
  if (it.region < 0 || hit.cell == SIZE_MAX) return;
  const RegionMap& r = v.mms[it.row->mm].regions[it.region];
  uint32_t ppc = v.pages_per_cell, first = uint32_t(hit.cell) * ppc;
  if (ImGui::IsMouseClicked(ImGuiMouseButton_Left))
    inspect(ui, {.kind = InspectKind::Page, .proc = it.row->id, .region = r.name, .page = first});
  if (ppc == 1) page_tooltip(v, *it.row, r, first);
  else cells_tooltip(*it.row, r, first, std::min(first + ppc, r.pages));
}

void remember_grid(CellGrid& grid, const std::vector<Item>& items, ImVec2 o, const Geometry& g, float top,
                   float bottom) {
  grid = CellGrid{.x0 = o.x + g.label_w, .y0 = o.y, .pitch = g.pitch, .cell = g.cell, .top = top, .bottom = bottom,
                  .cols = g.cols};
  for (const Item& it : items)
    if (it.region >= 0) grid.blocks.push_back({it.row->id, it.region, it.y});
}

// "P1:heap:3" split at its colons into 3 parts; false when it has another shape.
bool split3(std::string_view s, std::string_view out[3]) {
  for (int i = 0; i < 2; ++i) {
    size_t colon = s.find(':');
    if (colon == std::string_view::npos) return false;
    out[i] = s.substr(0, colon);
    s.remove_prefix(colon + 1);
  }
  out[2] = s;
  return s.find(':') == std::string_view::npos;
}

void draw_controls(const View& v, UiState& ui) {
  PageMapState& s = ui.page_map;
  int max_zoom = 0;
  while ((1u << max_zoom) < std::max<uint32_t>(1, v.max_region_pages) && max_zoom < 24) ++max_zoom;
  zoom_controls("auto zoom", "##zoom", "page", 12, std::max(1, max_zoom), s.zoom, s.auto_zoom);
  if (s.only_process >= 0) {
    ImGui::SameLine();
    const auto& procs = v.session->engine().processes();
    std::string name = size_t(s.only_process) < procs.size() ? procs[s.only_process].name : "?";
    if (ImGui::SmallButton(("only " + name + "  (show all)").c_str())) s.only_process = -1;
  }
  if (v.pages_limited) {
    ImGui::SameLine();
    ImGui::TextDisabled("some processes are not drawn (too many pages)");
  }
}

}  // namespace

WidgetRect page_cell_rect(const View& v, const UiState& ui, std::string_view id) {
  std::string_view part[3];
  const CellGrid& g = ui.page_map.grid;
  if (!id.starts_with("page:") || !split3(id.substr(5), part) || g.cols == 0 || v.pages_per_cell == 0) return {};
  uint32_t page = 0;
  for (char c : part[2]) {
    if (c < '0' || c > '9' || page > 100000000) return {};
    page = page * 10 + uint32_t(c - '0');
  }
  for (const CellGrid::Block& b : g.blocks) {
    const ProcRow* row = nullptr;
    for (const ProcRow& r : v.procs)
      if (r.id == b.proc) row = &r;
    if (row == nullptr || row->name != part[0] || row->mm >= v.mms.size()) continue;
    const auto& regions = v.mms[row->mm].regions;
    if (size_t(b.region) >= regions.size() || regions[b.region].name != part[1] || page >= regions[b.region].pages)
      continue;
    uint32_t cell = page / v.pages_per_cell;
    float x = g.x0 + float(cell % uint32_t(g.cols)) * g.pitch, y = g.y0 + b.y + float(cell / uint32_t(g.cols)) * g.pitch;
    if (y < g.top || y + g.cell > g.bottom) return {};  // scrolled out of view
    return {x, y, g.cell, g.cell};
  }
  return {};
}

void draw_page_map_panel(const View& v, UiState& ui) {
  const Palette& pal = palette(ui.options.dark);
  if (begin_panel("Page map", ui.layout.page_map)) {
    if (!v.valid || v.session == nullptr || draw_veil(ui)) {
      ImGui::End();
      return;
    }
    draw_legend(ui, pal, LegendOf::Pages);
    draw_controls(v, ui);
    begin_cell_map("##map");
    Geometry g;
    g.line_h = ImGui::GetFontSize();
    g.cell = ui.page_map.cell;
    g.pitch = g.cell + 1;
    g.label_w = ImGui::CalcTextSize("anon private").x + 14;
    float width = ImGui::GetContentRegionAvail().x;
    g.cols = std::max(1, int((width - g.label_w) / g.pitch));
    std::vector<Item> items = layout_items(v, ui, g);
    ImVec2 o = ImGui::GetCursorScreenPos();
    float top = ImGui::GetWindowPos().y, bottom = top + ImGui::GetWindowHeight();
    remember_grid(ui.page_map.grid, items, o, g, top, bottom);
    Hit hit = ImGui::IsWindowHovered() ? locate(v, items, o, g, ImGui::GetMousePos()) : Hit{};
    for (const Item& it : items) {
      if (o.y + it.y + it.h < top || o.y + it.y > bottom) continue;
      if (it.region < 0) draw_header(v, it, o, width, ui, pal);
      else draw_region(v, it, o, g, top, bottom, ui, hit);
    }
    ImGui::Dummy(ImVec2(width, items.empty() ? 0 : items.back().y + items.back().h));
    hover(v, hit, ui);
    end_cell_map(24, ui.page_map.zoom, ui.page_map.auto_zoom);
  }
  ImGui::End();
}

}  // namespace cow::web
