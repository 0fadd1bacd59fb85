#include "svg.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/script/captions.h"
#include "engine/script/lines.h"
#include "engine/script/parser.h"
#include "engine/script/xml.h"
#include "page_states.h"
#include "svg_writer.h"

namespace cow::figure {

namespace {

constexpr double kMargin = 24;
constexpr int kPitches[] = {32, 28, 24, 20, 16, 14, 12, 10, 8};  // cell pitches tried, largest first
constexpr double kHeading = 26;                                  // a map's heading line
constexpr double kNameColumn = 132, kNumberColumn = 46;          // page map: region labels, page numbers
constexpr double kProcessHeader = 26, kRegionMin = 38, kBlockGap = 6;
constexpr double kFrameNumbers = 54;         // physical memory: frame numbers
constexpr uint64_t kPageBudget = 16u << 20;  // pages read for the page map
constexpr double kRowLabelGap = 15;          // at least this between row numbers

// The whole document being written, and the cell patterns it uses.
struct Figure {
  const Colors& c;
  Svg svg;
  std::set<int> pitches;  // whose patterns <defs> must hold

  Rgba solid(Rgba x) const { return over(x, c.background); }
  TextStyle style(double size, Weight w = Weight::Normal) const { return {size, c.text, Anchor::Start, w}; }
  TextStyle dim(double size, Anchor a = Anchor::Start) const { return {size, c.text_dim, a, Weight::Normal}; }
};

int gap_of(int pitch) { return pitch >= 12 ? 2 : 1; }

// The patterns of one cell pitch: the gaps between cells, the dirty corner and the COW
// stroke, one tile per cell (userSpaceOnUse: tiles start at the group's origin).
std::string patterns(int pitch, const Figure& f) {
  std::string p = std::to_string(pitch), cell = std::to_string(pitch - gap_of(pitch)),
              gap = std::to_string(gap_of(pitch));
  double size = pitch - gap_of(pitch), k = std::max(3.0, size * 0.34);
  auto open = [&](const char* id) {
    return "<pattern id=\"" + std::string(id) + p + "\" patternUnits=\"userSpaceOnUse\" width=\"" + p + "\" height=\"" +
           p + "\">";
  };
  std::string out = open("gap-") + "<path d=\"M" + cell + " 0h" + gap + "v" + p + "h-" + gap + "zM0 " + cell + "h" + p +
                    "v" + gap + "h-" + p + "z\" fill=\"" + hex(f.c.background) + "\"/></pattern>\n";
  out += open("dirty-") + "<path d=\"M" + num(size - k) + " 0H" + num(size) + "V" + num(k) + "z\" fill=\"" +
         hex(f.c.dirty) + "\"/></pattern>\n";
  out += open("cow-") + "<path d=\"M1 " + num(size - 1) + "L" + num(size - 1) + " 1\" stroke=\"" + hex(f.c.cow_wp) +
         "\" stroke-opacity=\"" + num(f.c.cow_wp.a / 255.0) + "\"/></pattern>\n";
  return out;
}

// One run of `n` equal cells from column `col` of row `row`: its colour (the share of
// present pages filled from the bottom, as the web page draws a cell of many pages) and
// its flag patterns. `class` names the state, `data-n` counts the cells.
void draw_run(Figure& f, uint16_t cell, bool frames, size_t col, size_t row, size_t n, int pitch) {
  uint8_t bits = cell_bits(cell), fill = cell_fill(cell);
  double x = double(col * pitch), y = double(row * pitch), size = pitch - gap_of(pitch),
         w = double(n) * pitch - gap_of(pitch);
  bool blank = frames ? frame_bits::kind(bits) == FrameKind::Free : page_bits::kind(bits) <= page_bits::Absent;
  Rgba color = f.solid(frames ? frame_color(bits, f.c) : page_color(bits, f.c));
  std::string tag = std::string("class=\"") + (frames ? frame_state_name(bits) : page_state_name(bits)) +
                    "\" data-n=\"" + std::to_string(n) + '"';
  if (blank || fill >= 250) {
    f.svg.rect(x, y, w, size, hex(color), tag);
  } else {
    f.svg.rect(x, y, w, size, hex(f.solid(frames ? f.c.free_frame : f.c.absent)), tag);
    double h = std::max(2.0, size * fill / 255.0);
    f.svg.rect(x, y + size - h, w, h, hex(color));
  }
  std::string p = std::to_string(pitch);
  if (bits & (frames ? frame_bits::kDirty : page_bits::kDirty)) f.svg.rect(x, y, w, size, "url(#dirty-" + p + ")");
  if (!frames && (bits & page_bits::kCowWp)) f.svg.rect(x, y, w, size, "url(#cow-" + p + ")");
}

// `cells` on a grid of `cols` columns from the origin of the current group: a run of
// equal cells in a row as one rectangle, then the gaps between cells over all of them.
void draw_cells(Figure& f, std::span<const uint16_t> cells, bool frames, size_t cols, int pitch) {
  f.pitches.insert(pitch);
  for (size_t start = 0; start < cells.size(); start += cols) {
    size_t end = std::min(cells.size(), start + cols);
    for (size_t a = start; a < end;) {
      size_t b = a + 1;
      while (b < end && cells[b] == cells[a]) ++b;
      draw_run(f, cells[a], frames, a - start, start / cols, b - a, pitch);
      a = b;
    }
  }
  size_t rows = (cells.size() + cols - 1) / cols;
  f.svg.rect(0, 0, double(cols * pitch), double(rows * pitch), "url(#gap-" + std::to_string(pitch) + ")");
}

// Numbers at the start of every few rows (page or frame numbers), right-aligned at x.
void row_numbers(Figure& f, double x, size_t rows, size_t per_row, int pitch) {
  size_t every = size_t(std::max(1.0, std::ceil(kRowLabelGap / pitch)));
  double size = std::min(12.0, std::max(10.0, pitch * 0.8));
  for (size_t r = 0; r < rows; r += every)
    f.svg.text(x, double(r * pitch) + (pitch + size) / 2 - 1.5, std::to_string(r * per_row), f.dim(size, Anchor::End));
}

// Cells, number of columns and units per cell that fit a map in `h` pixels.
struct Grid {
  int pitch = kPitches[0];
  size_t cols = 1;
  uint32_t per_cell = 1;
};

size_t columns(double width, int pitch, size_t round) {
  auto cols = size_t(std::max(1.0, width / pitch));
  return cols >= round ? cols / round * round : cols;
}

// ---- the page map -----------------------------------------------------------------------

struct PageScene {
  std::vector<ProcId> procs;  // live processes (threads share their leader's row)
  std::vector<MmMap> mms;     // by MmId; built = drawn
  uint32_t max_pages = 1;
};

PageScene page_scene(const Engine& e) {
  PageScene s;
  s.mms.resize(e.address_spaces().size());
  uint64_t budget = kPageBudget;
  PageBytesCache cache;
  cache.next_state(e);
  for (ProcId p = 0; p < e.processes().size(); ++p) {
    const Process& pr = e.processes()[p];
    if (!pr.live() || pr.is_thread(p) || pr.mm >= s.mms.size()) continue;
    s.procs.push_back(p);
    const AddressSpace& as = e.address_spaces()[pr.mm];
    uint64_t n = mm_pages(as);
    if (s.mms[pr.mm].built || n > budget) continue;
    budget -= n;
    build_mm(s.mms[pr.mm], e, as, &cache);
    for (const RegionMap& r : s.mms[pr.mm].regions) s.max_pages = std::max(s.max_pages, r.pages);
  }
  return s;
}

double region_height(const RegionMap& r, const Grid& g) {
  size_t cells = (r.pages + g.per_cell - 1) / g.per_cell, rows = (cells + g.cols - 1) / g.cols;
  return std::max(kRegionMin, double(rows) * g.pitch) + kBlockGap;
}

// How many processes fit at all (one row of cells per region), then the largest cells
// with the fewest pages per cell that fit them.
std::pair<Grid, size_t> fit_pages(const Engine& e, const PageScene& s, double w, double h) {
  auto mm_of = [&](size_t i) -> const MmMap& { return s.mms[e.processes()[s.procs[i]].mm]; };
  size_t n = 0;
  for (double used = 0; n < s.procs.size(); ++n) {
    used += kProcessHeader + double(std::max<size_t>(1, mm_of(n).regions.size())) * (kRegionMin + kBlockGap);
    if (used > h) {
      n = std::max<size_t>(n, 1);  // the first process is drawn, however cramped
      break;
    }
  }
  Grid g;
  for (g.per_cell = 1;; g.per_cell *= 2) {
    for (int pitch : kPitches) {
      g.pitch = pitch;
      g.cols = columns(w - kNameColumn - kNumberColumn, pitch, 8);
      double total = 0;
      for (size_t i = 0; i < n; ++i) {
        total += kProcessHeader + (mm_of(i).built ? 0 : kRegionMin);
        for (const RegionMap& r : mm_of(i).regions) total += region_height(r, g);
      }
      if (total <= h || g.per_cell >= s.max_pages) return {g, n};
    }
  }
}

void process_header(Figure& f, const Engine& e, ProcId p, double x, double y, double w) {
  const Process& pr = e.processes()[p];
  Usage u = e.usage(p);
  char pss[32];
  format_pss(u.pss, pss);
  f.svg.rect(x, y + 4, 5, 18, hex(process_color(p, f.c)));
  f.svg.text(x + 12, y + 19, pr.name, f.style(16, Weight::Bold));
  double at = x + 24 + text_width(pr.name, 16);
  std::string stats = "pid " + std::to_string(pr.pid) + "   Rss " + std::to_string(u.rss) + "   Pss " + pss +
                      "   Shared " + std::to_string(u.shared_clean + u.shared_dirty) + "   Private " +
                      std::to_string(u.private_clean + u.private_dirty);
  f.svg.text(at, y + 19, fit_text(stats, 14, x + w - at), f.dim(14));
}

void huge_outlines(Figure& f, const RegionMap& r, const Grid& g) {
  for (const HugeExtent& x : r.huge) {
    size_t c0 = x.first_page / g.per_cell,
           c1 = std::min(r.cells.size(), size_t(x.first_page + kHugePages - 1) / g.per_cell + 1);
    const char* dash = x.state == HugeState::Split ? "stroke-dasharray=\"3 2\" " : "";
    for (size_t c = c0; c < c1;) {
      size_t row = c / g.cols, end = std::min(c1, (row + 1) * g.cols);
      f.svg.rect(double((c % g.cols) * g.pitch) - 1, double(row * g.pitch) - 1,
                 double((end - c) * g.pitch) - gap_of(g.pitch) + 2, g.pitch - gap_of(g.pitch) + 2, "none",
                 std::string(dash) + "stroke=\"" + hex(f.c.huge) + "\" stroke-width=\"2\"");
      c = end;
    }
  }
}

void region_block(Figure& f, const std::string& proc, RegionMap& r, const Grid& g, double x, double y) {
  f.svg.text(x + 12, y + 15, fit_text(r.name, 15, kNameColumn - 16), f.style(15, Weight::Bold));
  std::string kind =
      std::string(r.backing == Backing::File ? "file " : "anon ") + (r.share == Share::Shared ? "shared" : "private");
  f.svg.text(x + 12, y + 32, kind, f.dim(13));
  aggregate_region(r, g.per_cell);
  f.svg.raw("<g transform=\"translate(" + num(x + kNameColumn + kNumberColumn) + "," + num(y) + ")\" data-process=\"" +
            script::xml_escape(proc) + "\" data-region=\"" + script::xml_escape(r.name) + "\">\n");
  row_numbers(f, -6, (r.cells.size() + g.cols - 1) / g.cols, g.cols * g.per_cell, g.pitch);
  draw_cells(f, r.cells, false, g.cols, g.pitch);
  huge_outlines(f, r, g);
  f.svg.raw("</g>\n");
}

// Where the dim text after a map's heading starts.
double heading_width(std::string_view heading) { return text_width(heading, 17) * 1.1 + 12; }

std::string per_cell_text(uint32_t n, const char* unit) {
  return n == 1 ? std::string("one cell per ") + unit : "one cell per " + std::to_string(n) + " " + unit + "s";
}

void draw_page_map(Figure& f, const Engine& e, double x, double y, double w, double h) {
  PageScene s = page_scene(e);
  auto [g, shown] = fit_pages(e, s, w, h - kHeading);
  f.svg.text(x, y + 17, "Page map", f.style(17, Weight::Bold));
  f.svg.text(x + heading_width("Page map"), y + 17, per_cell_text(g.per_cell, "page"), f.dim(14));
  y += kHeading;
  for (size_t i = 0; i < shown; ++i) {
    ProcId p = s.procs[i];
    process_header(f, e, p, x, y, w);
    y += kProcessHeader;
    MmMap& mm = s.mms[e.processes()[p].mm];
    if (!mm.built) {
      f.svg.text(x + 12, y + 14, "(too many pages to draw)", f.dim(13));
      y += kRegionMin;
      continue;
    }
    for (RegionMap& r : mm.regions) {
      region_block(f, e.processes()[p].name, r, g, x, y);
      y += region_height(r, g);
    }
  }
  if (shown < s.procs.size())
    f.svg.text(x, y + 16, "and " + std::to_string(s.procs.size() - shown) + " more processes, not drawn", f.dim(14));
  if (s.procs.empty()) f.svg.text(x, y + 16, "no process yet", f.dim(14));
}

// ---- physical memory -------------------------------------------------------------------

void draw_physical(Figure& f, const Engine& e, double x, double y, double w, double h) {
  std::vector<uint8_t> frames = frame_states(e.frames());
  uint32_t shown = frames_shown(frames);
  std::span<const uint8_t> used(frames.data(), shown);
  Grid g;
  for (g.per_cell = 1;; g.per_cell *= 2) {
    size_t n = (shown + g.per_cell - 1) / g.per_cell;
    bool fits = false;
    for (int p : kPitches) {
      g.pitch = p;
      g.cols = columns(w - kFrameNumbers, p, 16);
      if (double((n + g.cols - 1) / g.cols) * p <= h - kHeading) {
        fits = true;
        break;
      }
    }
    if (fits || n <= 1) break;
  }
  std::vector<uint16_t> cells = aggregate_frames(used, g.per_cell);
  f.svg.text(x, y + 17, "Physical memory", f.style(17, Weight::Bold));
  std::string what =
      std::to_string(shown) + " of " + std::to_string(frames.size()) + " frames, " + per_cell_text(g.per_cell, "frame");
  double at = heading_width("Physical memory");
  f.svg.text(x + at, y + 17, fit_text(what, 14, w - at), f.dim(14));
  f.svg.raw("<g transform=\"translate(" + num(x + kFrameNumbers) + "," + num(y + kHeading) +
            ")\" data-map=\"frames\">\n");
  row_numbers(f, -6, (cells.size() + g.cols - 1) / g.cols, g.cols * g.per_cell, g.pitch);
  draw_cells(f, cells, true, g.cols, g.pitch);
  f.svg.raw("</g>\n");
}

// ---- title, headline, legend ------------------------------------------------------------

// Lines of `text` wrapped at `width` px in `size`, at most `max` (the last cut with "...").
std::vector<std::string> wrap(std::string_view text, double size, double width, size_t max) {
  std::vector<std::string> lines(1);
  for (size_t i = 0; i < text.size();) {
    size_t end = std::min(text.find_first_of(" \n", i), text.size());
    std::string_view word = text.substr(i, end - i);
    std::string candidate = lines.back().empty() ? std::string(word) : lines.back() + " " + std::string(word);
    if (!lines.back().empty() && (text_width(candidate, size) > width || (i > 0 && text[i - 1] == '\n'))) {
      if (lines.size() == max) {
        lines.back() = fit_text(lines.back() + " " + std::string(text.substr(i)), size, width);
        return lines;
      }
      lines.emplace_back(word);
    } else {
      lines.back() = candidate;
    }
    i = end + 1;
  }
  if (lines.back().empty()) lines.pop_back();
  return lines;
}

std::string statement_line(const script::Session& s, std::string_view text) {
  size_t pos = s.position(), steps = s.step_count();
  std::string out = "step " + std::to_string(pos) + " of " + std::to_string(steps) + ":  ";
  if (pos == 0) return out + "before the first statement";
  const script::Statement& st = s.script().statements[pos - 1];
  return out + std::string(script::statement_source(script::line_at(text, st.pos.line), st));
}

// The statement and its caption; returns the height used.
double draw_title(Figure& f, const script::Session& s, std::string_view text, double w) {
  f.svg.text(kMargin, kMargin + 20, fit_text(statement_line(s, text), 22, w), f.style(22, Weight::Bold));
  double y = kMargin + 30;
  std::string caption = script::step_caption(script::line_captions(text), s.script(), s.position());
  if (s.error()) caption = "stopped: " + s.error()->message;
  for (const std::string& line : wrap(caption, 17, w, 2)) {
    f.svg.text(kMargin, y + 17, line, f.style(17));
    y += 23;
  }
  return y + 8 - kMargin;
}

void draw_headline(Figure& f, const Engine& e, double y, double w) {
  SystemUsage u = e.system();
  const Counters& c = e.counters();
  struct Tile {
    const char* label;
    uint64_t value;
    const Rgba* swatch;
  };
  const Tile tiles[] = {{"frames used", u.frames_used, nullptr},  {"shared", u.frames_shared, &f.c.shared[4]},
                        {"private", u.frames_private, &f.c.priv}, {"free", u.frames_free, &f.c.absent},
                        {"COW copies", c.cow_copies, nullptr},    {"reuses", c.cow_reuses, nullptr},
                        {"zero fills", c.zero_fills, nullptr},    {"faults", c.faults, nullptr}};
  double tile_w = w / double(std::size(tiles));
  for (size_t i = 0; i < std::size(tiles); ++i) {
    double x = kMargin + double(i) * tile_w, label_x = x;
    if (tiles[i].swatch) {
      f.svg.rect(x, y + 3, 13, 13, hex(f.solid(*tiles[i].swatch)), "rx=\"2\"");
      label_x += 18;
    }
    f.svg.text(label_x, y + 14, tiles[i].label, f.dim(14));
    std::string value = std::to_string(tiles[i].value);
    double size = std::min(30.0, (tile_w - 12) / (0.66 * double(value.size())));  // 7 digits fit
    f.svg.text(x, y + 48, value, f.style(size, Weight::Bold));
  }
}

constexpr double kSwatch = 15, kLegendLine = 24;

std::vector<LegendRow> legend_rows(const Colors& c, FigureView view) {
  std::vector<LegendRow> rows = legend(c, view == FigureView::Physical ? LegendOf::Frames : LegendOf::Pages);
  if (view == FigureView::Step)
    for (const LegendRow& r : legend(c, LegendOf::Frames))
      if (std::none_of(rows.begin(), rows.end(),
                       [&](const LegendRow& x) { return std::string_view(x.label) == r.label; }))
        rows.push_back(r);
  return rows;
}

// Lays out the legend in rows of `width` px; `draw` false only measures. Returns its height.
double draw_legend(Figure& f, const std::vector<LegendRow>& rows, double y, double width, bool draw) {
  double x = 0;
  int lines = 1;
  for (const LegendRow& r : rows) {
    double item = kSwatch + 6 + text_width(r.label, 14) + 24;
    if (x > 0 && x + item > width) x = 0, ++lines;
    if (draw) {
      double sx = kMargin + x, sy = y + (lines - 1) * kLegendLine;
      f.svg.rect(sx, sy, kSwatch, kSwatch, hex(f.solid(r.color)), "rx=\"2\"");
      std::string stroke = "stroke=\"" + hex(f.c.huge) + "\" stroke-width=\"2\"";
      if (r.marker == Marker::Dirty)
        f.svg.raw("<path d=\"M" + num(sx + kSwatch - 5) + " " + num(sy) + "h5v5z\" fill=\"" + hex(f.c.dirty) +
                  "\"/>\n");
      else if (r.marker == Marker::CowWp)
        f.svg.raw("<path d=\"M" + num(sx + 1) + " " + num(sy + kSwatch - 1) + "L" + num(sx + kSwatch - 1) + " " +
                  num(sy + 1) + "\" stroke=\"" + hex(f.solid(f.c.cow_wp)) + "\"/>\n");
      else if (r.marker == Marker::HugePmd)
        f.svg.rect(sx, sy, kSwatch, kSwatch, "none", stroke);
      else if (r.marker == Marker::HugeSplit)
        f.svg.rect(sx, sy, kSwatch, kSwatch, "none", "stroke-dasharray=\"3 2\" " + stroke);
      f.svg.text(sx + kSwatch + 6, sy + 12.5, r.label, f.style(14));
    }
    x += item;
  }
  return lines * kLegendLine;
}

}  // namespace

std::optional<FigureView> figure_view(std::string_view name) {
  if (name == "pagemap") return FigureView::PageMap;
  if (name == "physical") return FigureView::Physical;
  if (name == "step") return FigureView::Step;
  return std::nullopt;
}

std::string render_svg(const script::Session& s, std::string_view text, const FigureOptions& o) {
  Figure f{colors(o.theme), {}, {}};
  const Engine& e = s.engine();
  double W = std::max(320, o.width), H = std::max(240, o.height), inner = W - 2 * kMargin;
  f.svg.rect(0, 0, W, H, hex(f.c.background));
  double top = kMargin + draw_title(f, s, text, inner);
  if (o.view == FigureView::Step) {
    draw_headline(f, e, top, inner);
    top += 64;
  }
  std::vector<LegendRow> rows = legend_rows(f.c, o.view);
  double legend_h = draw_legend(f, rows, 0, inner, false);
  double bottom = H - kMargin - legend_h;
  draw_legend(f, rows, bottom + 6, inner, true);
  double h = bottom - top - 6;
  if (o.view == FigureView::PageMap)
    draw_page_map(f, e, kMargin, top, inner, h);
  else if (o.view == FigureView::Physical)
    draw_physical(f, e, kMargin, top, inner, h);
  else {
    double left = std::floor(inner * 0.6);
    draw_page_map(f, e, kMargin, top, left, h);
    draw_physical(f, e, kMargin + left + 24, top, inner - left - 24, h);
  }
  std::string defs;
  for (int p : f.pitches) defs += patterns(p, f);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
         num(W) + " " + num(H) + "\" width=\"" + num(W) + "\" height=\"" + num(H) +
         "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<title>" +
         script::xml_escape("cowlab: " + statement_line(s, text)) + "</title>\n<defs>\n" + defs + "</defs>\n" +
         f.svg.out + "</svg>\n";
}

}  // namespace cow::figure
