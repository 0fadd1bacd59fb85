// Panel 2, the headline: frames used / shared / private / free and the fault counters,
// each as a big number with its change since the last step.
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
  if (ui.big_font) ImGui::PushFont(ui.big_font);
  else ImGui::SetWindowFontScale(2.0f);
  ImGui::Text("%llu", static_cast<unsigned long long>(m.now));
  char id[40];
  std::snprintf(id, sizeof id, "headline.%s", m.id);
  record_rect(ui, id);
  if (ui.big_font) ImGui::PopFont();
  else ImGui::SetWindowFontScale(1.0f);
  ImGui::Dummy(ImVec2(0, 0));
  delta_badge(pal, double(m.now) - double(m.prev));
  ImGui::EndGroup();
}

}  // namespace

float headline_height(float width, const UiState& ui) {
  ImVec2 tile = tile_size(ui);
  const ImGuiStyle& s = ImGui::GetStyle();
  int per_row = std::max(1, int((width - 2 * s.WindowPadding.x) / tile.x));
  int rows = (kMetrics + per_row - 1) / per_row;
  return 2 * s.WindowPadding.y + float(rows) * (tile.y + s.ItemSpacing.y);
}

void draw_headline_panel(const View& v, UiState& ui) {
  const Palette& pal = palette(ui.options.dark);
  if (begin_panel("Headline", ui.layout.headline, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar)) {
    Metric m[kMetrics];
    metrics(v, pal, m);
    ImVec2 tile = tile_size(ui);
    ImVec2 origin = ImGui::GetCursorScreenPos();
    int per_row = std::max(1, int(ImGui::GetContentRegionAvail().x / tile.x));
    float spacing = ImGui::GetStyle().ItemSpacing.y;
    for (int i = 0; i < kMetrics; ++i) {
      int row = i / per_row, col = i % per_row;
      ImGui::SetCursorScreenPos(ImVec2(origin.x + float(col) * tile.x, origin.y + float(row) * (tile.y + spacing)));
      draw_tile(m[i], ui, pal);
    }
  }
  ImGui::End();
}

}  // namespace cow::web
