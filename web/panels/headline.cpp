// Panel 2, the headline: frames used / shared / private / free and the fault counters,
// each as a big number with its change since the last step, and its glossary entry on hover.
#include <algorithm>
#include <cfloat>
#include <cstdio>

#include "panels.h"

namespace cow::web {

namespace {

struct Metric {
  const char* id;     // widget_rect id: "headline.<id>"
  const char* label;
  uint64_t now, prev;
  ImU32 swatch;       // 0: none
};

constexpr int kMetrics = 14;
constexpr int kFrameMetrics = 4;  // the first four: frames used, shared, private, free

void metrics(const View& v, const Palette& pal, Metric out[kMetrics]) {
  const SystemUsage& s = v.now.sys;
  const SystemUsage& p = v.has_prev ? v.prev.sys : v.now.sys;
  const Counters& c = v.now.counters;
  const Counters& q = v.has_prev ? v.prev.counters : v.now.counters;
  int i = 0;
  out[i++] = {"frames_used", "frames used", s.frames_used, p.frames_used, 0};
  out[i++] = {"frames_shared", "shared", s.frames_shared, p.frames_shared, pal.shared[4]};
  out[i++] = {"frames_private", "private", s.frames_private, p.frames_private, pal.priv};
  out[i++] = {"frames_free", "free", s.frames_free, p.frames_free, pal.absent};
  out[i++] = {"cow_copies", "COW copies", c.cow_copies, q.cow_copies, 0};
  out[i++] = {"cow_reuses", "reuses", c.cow_reuses, q.cow_reuses, 0};
  out[i++] = {"zero_fills", "zero fills", c.zero_fills, q.zero_fills, 0};
  out[i++] = {"zero_page_maps", "zero-page maps", c.zero_page_maps, q.zero_page_maps, 0};
  out[i++] = {"file_maps", "file maps", c.file_maps, q.file_maps, 0};
  out[i++] = {"faults", "faults", c.faults, q.faults, 0};
  out[i++] = {"ptes_copied", "PTEs copied", c.ptes_copied, q.ptes_copied, 0};
  out[i++] = {"fork_failures", "fork failures", c.fork_failures, q.fork_failures, 0};
  out[i++] = {"oom_kills", "OOM kills", c.oom_kills, q.oom_kills, 0};
  out[i++] = {"segfaults", "segfaults", c.segfaults, q.segfaults, 0};
}

// The THP counters as one compact line, or "" while all are 0 (no huge page so far).
std::string thp_line(const View& v) {
  const Counters& c = v.now.counters;
  if (c.thp_faults + c.huge_zero_maps + c.pmds_copied + c.thp_splits == 0) return "";
  char s[160];
  std::snprintf(s, sizeof s, "THP faults %llu   huge zero maps %llu   PMDs copied %llu   THP splits %llu",
                (unsigned long long)c.thp_faults, (unsigned long long)c.huge_zero_maps,
                (unsigned long long)c.pmds_copied, (unsigned long long)c.thp_splits);
  return s;
}

float big_size(const UiState& ui) {
  return ui.big_font ? ui.big_font->FontSize : ImGui::GetFontSize() * 2;
}

ImVec2 tile_size(const UiState& ui) {
  float small = ImGui::GetFontSize();
  float digits = ui.big_font ? ui.big_font->CalcTextSizeA(ui.big_font->FontSize, FLT_MAX, 0, "0000000").x
                              : ImGui::CalcTextSize("0000000").x * 2;
  return ImVec2(std::max(small * 8.2f, digits + small), 2 * small + big_size(ui) + 10);
}

// The label, the number big below it, and its change since the last step under that.
void draw_tile(const Metric& m, UiState& ui, const Palette& pal) {
  ImGui::BeginGroup();
  if (m.swatch) {
    legend_item(pal, m.swatch, m.label);
    ImGui::NewLine();
  } else {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.text_dim), "%s", m.label);
  }
  push_big_font(ui);
  if (ui.quiz.veiled) ImGui::TextUnformatted("?");
  else ImGui::Text("%llu", static_cast<unsigned long long>(m.now));
  char id[40];
  std::snprintf(id, sizeof id, "headline.%s", m.id);
  record_rect(ui, id);
  pop_big_font(ui);
  ImGui::Dummy(ImVec2(0, 0));
  if (!ui.quiz.veiled) delta_badge(pal, double(m.now) - double(m.prev));
  ImGui::EndGroup();
  glossary_tip(m.id);
}

// Wide: every metric as a big tile, in at most two rows. Narrow: the four frame counts as
// big tiles and the counters as a grid of "label number change" lines.
struct Shape {
  bool compact = false;
  int per_row = 1;        // big tiles per row
  int cells_per_row = 1;  // compact counter cells per row
  float cell_w = 0;
  float height = 0;
};

Shape shape(float width, const UiState& ui) {
  const ImGuiStyle& st = ImGui::GetStyle();
  ImVec2 tile = tile_size(ui);
  float inner = width - 2 * st.WindowPadding.x;
  Shape sh;
  sh.per_row = std::max(1, int(inner / tile.x));
  int rows = (kMetrics + sh.per_row - 1) / sh.per_row;
  sh.height = 2 * st.WindowPadding.y + float(rows) * (tile.y + st.ItemSpacing.y);
  if (rows <= 2) return sh;
  sh.compact = true;
  sh.cell_w = ImGui::CalcTextSize("zero-page maps 000000 ^0000").x;
  sh.cells_per_row = std::max(1, int(inner / sh.cell_w));
  int big_rows = (kFrameMetrics + sh.per_row - 1) / sh.per_row;
  int small_rows = (kMetrics - kFrameMetrics + sh.cells_per_row - 1) / sh.cells_per_row;
  sh.height = 2 * st.WindowPadding.y + float(big_rows) * (tile.y + st.ItemSpacing.y) +
              float(small_rows) * ImGui::GetTextLineHeightWithSpacing();
  return sh;
}

void draw_cell(const Metric& m, UiState& ui, const Palette& pal, float label_w) {
  ImGui::BeginGroup();
  ImVec2 start = ImGui::GetCursorScreenPos();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.text_dim), "%s", m.label);
  ImGui::SameLine(0, 0);
  ImGui::SetCursorScreenPos(ImVec2(start.x + label_w, start.y));
  if (ui.quiz.veiled) ImGui::TextUnformatted("?");
  else ImGui::Text("%llu", static_cast<unsigned long long>(m.now));
  char id[40];
  std::snprintf(id, sizeof id, "headline.%s", m.id);
  record_rect(ui, id);
  if (!ui.quiz.veiled) delta_badge(pal, double(m.now) - double(m.prev));
  ImGui::EndGroup();
  glossary_tip(m.id);
}

}  // namespace

float headline_height(float width, const View& v, const UiState& ui) {
  float thp = thp_line(v).empty() ? 0 : ImGui::GetTextLineHeightWithSpacing();
  return shape(width, ui).height + thp;
}

void draw_headline_panel(const View& v, UiState& ui) {
  const Palette& pal = palette(ui.options.dark);
  const Rect& r = ui.layout.headline;
  if (begin_panel("Headline", r, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar)) {
    Metric m[kMetrics];
    metrics(v, pal, m);
    Shape sh = shape(r.w, ui);
    ImVec2 tile = tile_size(ui);
    ImVec2 origin = ImGui::GetCursorScreenPos();
    float spacing = ImGui::GetStyle().ItemSpacing.y;
    int big = sh.compact ? kFrameMetrics : kMetrics;
    for (int i = 0; i < big; ++i) {
      int row = i / sh.per_row, col = i % sh.per_row;
      ImGui::SetCursorScreenPos(ImVec2(origin.x + float(col) * tile.x, origin.y + float(row) * (tile.y + spacing)));
      draw_tile(m[i], ui, pal);
    }
    float y = origin.y + float((big + sh.per_row - 1) / sh.per_row) * (tile.y + spacing);
    float label_w = ImGui::CalcTextSize("zero-page maps ").x;
    for (int i = big; i < kMetrics; ++i) {
      int k = i - big, row = k / sh.cells_per_row, col = k % sh.cells_per_row;
      ImGui::SetCursorScreenPos(ImVec2(origin.x + float(col) * sh.cell_w, y + float(row) * ImGui::GetTextLineHeightWithSpacing()));
      draw_cell(m[i], ui, pal, label_w);
    }
    if (std::string thp = ui.quiz.veiled ? "" : thp_line(v); !thp.empty()) {
      int small = kMetrics - big, rows = (small + sh.cells_per_row - 1) / sh.cells_per_row;
      ImGui::SetCursorScreenPos(ImVec2(origin.x, y + float(rows) * ImGui::GetTextLineHeightWithSpacing()));
      ImGui::TextUnformatted(thp.c_str());
    }
  }
  ImGui::End();
}

}  // namespace cow::web
