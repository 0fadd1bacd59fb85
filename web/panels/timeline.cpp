// Panel 7, timeline: frames used and each process's Rss (or Pss), step by step, from the
// series recorded once per load. Lines are thinned to about one point per pixel; only
// the processes with the highest peak Rss are drawn. Click a step to travel there.
// The y axis has whole "nice" ticks (ticks.h); the step cursor is a dashed line with a
// marker on top, unlike any line of the plot; hovering a name in the legend brings its line to
// the front (lines that overlap hide each other).
#include <algorithm>
#include <cstdio>

#include "panels.h"
#include "ticks.h"

namespace cow::web {

namespace {

struct Plot {
  ImVec2 a, b;        // plot area (inside the axes)
  size_t extent = 1;  // last step on the x axis
  double ymax = 1;
  float x(size_t step) const { return a.x + (b.x - a.x) * float(step) / float(extent); }
  float y(double value) const { return b.y - (b.y - a.y) * float(value / ymax); }
  size_t step_at(float px) const {
    float t = std::clamp((px - a.x) / std::max(1.0f, b.x - a.x), 0.0f, 1.0f);
    return size_t(t * float(extent) + 0.5f);
  }
};

// Appends the points of one line, every `stride` steps plus the last; steps that were
// not recorded are skipped.
template <class Value>
void polyline(ImDrawList* dl, const Plot& p, size_t n, size_t stride, Value value, ImU32 col, float thick) {
  std::vector<ImVec2> pts;
  pts.reserve(n / stride + 2);
  for (size_t k = 0; n > 0; k = std::min(k + stride, n - 1)) {
    double val;
    if (value(k, &val)) pts.push_back(ImVec2(p.x(k), p.y(val)));
    if (k == n - 1) break;
  }
  if (pts.size() == 1) dl->AddCircleFilled(pts[0], thick + 1, col);
  if (pts.size() >= 2) dl->AddPolyline(pts.data(), int(pts.size()), col, 0, thick);
}

void draw_axes(ImDrawList* dl, const Plot& p, const Palette& pal, const std::vector<uint64_t>& ticks) {
  for (uint64_t val : ticks) {
    float y = p.y(double(val));
    dl->AddLine(ImVec2(p.a.x, y), ImVec2(p.b.x, y), pal.grid);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(val));
    ImVec2 sz = ImGui::CalcTextSize(buf);
    dl->AddText(ImVec2(p.a.x - sz.x - 4, y - sz.y / 2), pal.text_dim, buf);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "step %zu", p.extent);
  dl->AddText(ImVec2(p.b.x - ImGui::CalcTextSize(buf).x, p.b.y + 2), pal.text_dim, buf);
  dl->AddText(ImVec2(p.a.x, p.b.y + 2), pal.text_dim, "0");
}

bool proc_value(const Series& s, size_t k, ProcId id, int metric, double* out) {
  if (k >= s.procs.size() || id >= s.procs[k].size() || !s.procs[k][id].valid) return false;
  *out = metric == 0 ? double(s.procs[k][id].rss) : s.procs[k][id].pss;
  return true;
}

void hover_tooltip(const View& v, size_t step, int metric) {
  const Series& s = v.series;
  ImGui::BeginTooltip();
  std::string st = statement_text(v, step);
  ImGui::Text("step %zu%s%s", step, st.empty() ? "" : ": ", st.c_str());
  if (step < s.system.size() && s.system[step].valid)
    ImGui::Text("frames used %llu", static_cast<unsigned long long>(s.system[step].sys.frames_used));
  const auto& procs = v.session->engine().processes();
  for (ProcId id : v.plotted) {
    double val;
    if (id < procs.size() && proc_value(s, step, id, metric, &val))
      ImGui::Text("%-8s %s %s", procs[id].name.c_str(), metric == 0 ? "Rss" : "Pss",
                  metric == 0 ? std::to_string(uint64_t(val)).c_str() : pss_text(val).c_str());
  }
  ImGui::TextDisabled("click to travel to this step");
  ImGui::EndTooltip();
}

void draw_legend(const View& v, UiState& ui, const Palette& pal) {
  ImGui::RadioButton("Rss", &ui.timeline_metric, 0);
  ImGui::SameLine();
  ImGui::RadioButton("Pss", &ui.timeline_metric, 1);
  ImGui::SameLine(0, 16);
  legend_item(pal, pal.highlight, "frames used");
  legend_item(pal, ImGui::GetColorU32(ImGuiCol_Text, 0.75f), "this step");
  const auto& procs = v.session->engine().processes();
  for (ProcId id : v.plotted) {
    if (id >= procs.size()) continue;
    legend_item(pal, process_color(id, pal), procs[id].name.c_str());
    if (ImGui::IsItemHovered()) {
      ui.hover_next = int(id);
      ImGui::SetTooltip("%s's line, drawn thick and in front: lines with the same values overlap and hide "
                        "each other", procs[id].name.c_str());
    }
  }
  if (v.plotted.size() < procs.size()) ImGui::TextDisabled("(+%zu more)", procs.size() - v.plotted.size());
  else ImGui::NewLine();
}

void draw_plot(const View& v, UiState& ui, const Palette& pal) {
  ImVec2 o = ImGui::GetCursorScreenPos(), avail = ImGui::GetContentRegionAvail();
  if (avail.y < 30) return;
  Plot p;
  float left = ImGui::CalcTextSize("000000").x + 8, line = ImGui::GetFontSize();
  p.a = ImVec2(o.x + left, o.y + 4);
  p.b = ImVec2(o.x + avail.x - 6, o.y + avail.y - line - 4);
  p.extent = std::max<size_t>(1, std::max(v.steps, v.series.system.size() - 1));
  float rows = (p.b.y - p.a.y) / (2 * line);  // a tick label at most every two lines
  std::vector<uint64_t> ticks = nice_ticks(v.plot_max, std::clamp(int(rows), 1, 4));
  p.ymax = double(ticks.back());
  ImDrawList* dl = ImGui::GetWindowDrawList();
  draw_axes(dl, p, pal, ticks);
  size_t n = v.series.system.size();
  size_t stride = std::max<size_t>(1, n / size_t(std::max(1.0f, p.b.x - p.a.x)));
  int metric = ui.timeline_metric;
  auto line_of = [&](ProcId id, float thick) {
    auto value = [&](size_t k, double* out) { return proc_value(v.series, k, id, metric, out); };
    polyline(dl, p, n, stride, value, process_color(id, pal), thick);
  };
  for (ProcId id : v.plotted)
    if (ui.hovered_process != int(id)) line_of(id, 1.5f);
  auto frames = [&](size_t k, double* out) {
    if (!v.series.system[k].valid) return false;
    *out = double(v.series.system[k].sys.frames_used);
    return true;
  };
  polyline(dl, p, n, stride, frames, pal.highlight, 2.0f);
  for (ProcId id : v.plotted)  // the hovered process last: in front of the others
    if (ui.hovered_process == int(id)) line_of(id, 3.0f);
  float cx = p.x(v.position);
  ImU32 cursor = ImGui::GetColorU32(ImGuiCol_Text, 0.75f);
  for (float y = p.a.y; y < p.b.y; y += 6)  // dashed: no line of the plot is
    dl->AddLine(ImVec2(cx, y), ImVec2(cx, std::min(y + 3, p.b.y)), cursor, 1.5f);
  dl->AddTriangleFilled(ImVec2(cx - 4, p.a.y - 4), ImVec2(cx + 4, p.a.y - 4), ImVec2(cx, p.a.y + 2), cursor);
  ImGui::InvisibleButton("##timeline", avail);
  if (ImGui::IsItemHovered()) {
    size_t step = std::min(p.step_at(ImGui::GetMousePos().x), v.steps);
    dl->AddLine(ImVec2(p.x(step), p.a.y), ImVec2(p.x(step), p.b.y), pal.grid, 1.0f);
    hover_tooltip(v, step, metric);
    if (ImGui::IsItemClicked()) ui.requests.push_back({Command::StepTo, long(step)});
  }
}

}  // namespace

void draw_timeline_panel(const View& v, UiState& ui) {
  const Palette& pal = palette(ui.options.dark);
  if (begin_panel("Timeline (pages per step)", ui.layout.timeline)) {
    if (v.valid && v.session && !v.series.system.empty() && !draw_veil(ui)) {
      draw_legend(v, ui, pal);
      draw_plot(v, ui, pal);
    }
  }
  ImGui::End();
}

}  // namespace cow::web
