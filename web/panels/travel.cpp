// Time travel: a slider over the steps (0 = before the first statement), with marks at
// `show` bookmarks and failed expects, the statement just run, what it changed, and its
// caption (the script's comment, script::caption_for_line) in the large font. Hovering
// the slider previews any recorded step's changes. Above it, "About this example".
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "imgui_internal.h"
#include "engine/script/captions.h"
#include "panels.h"

namespace cow::web {

namespace {

// Where SliderInt draws the centre of value `step` (mirrors ImGui's SliderBehaviorT).
struct SliderScale {
  float min_x = 0, grab = 0, usable = 0;
  size_t steps = 0;
  float x(size_t step) const {
    return min_x + grab * 0.5f + (steps ? usable * float(step) / float(steps) : 0.0f);
  }
  size_t step_at(float px) const {
    if (steps == 0 || usable <= 0) return 0;
    float t = (px - min_x - grab * 0.5f) / usable;
    return size_t(std::clamp(t, 0.0f, 1.0f) * float(steps) + 0.5f);
  }
};

SliderScale slider_scale(ImVec2 a, ImVec2 b, size_t steps) {
  SliderScale s;
  float pad = 2.0f, size = b.x - a.x - 2 * pad;
  s.grab = std::min(size, std::max(size / float(steps + 1), ImGui::GetStyle().GrabMinSize));
  s.min_x = a.x + pad;
  s.usable = size - s.grab;
  s.steps = steps;
  return s;
}

// Step of each statement line, for marks at `show` lines and failed expects.
size_t step_of_line(const View& v, int line) {
  return line >= 0 && size_t(line) < v.line_step.size() ? size_t(v.line_step[line]) : 0;
}

void draw_marks(const View& v, const SliderScale& sc, ImVec2 a, ImVec2 b, const Palette& pal) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (sc.steps <= 200)
    for (size_t s = 0; s <= sc.steps; ++s) dl->AddLine(ImVec2(sc.x(s), b.y - 3), ImVec2(sc.x(s), b.y - 1), pal.grid);
  for (int line : v.session->shows()) {
    float x = sc.x(step_of_line(v, line));
    dl->AddTriangleFilled(ImVec2(x - 4, a.y + 1), ImVec2(x + 4, a.y + 1), ImVec2(x, a.y + 7), pal.down);
  }
  for (const auto& ex : v.session->expects()) {
    if (ex.ok) continue;
    float x = sc.x(step_of_line(v, ex.line));
    dl->AddCircleFilled(ImVec2(x, b.y - 4), 3, pal.dirty);
  }
}

struct Change {
  const char* label;
  double d;
};

// System metrics and counters that changed between two recorded points.
std::vector<Change> changes(const SysPoint& now, const SysPoint& prev) {
  auto d = [](uint64_t a, uint64_t b) { return double(a) - double(b); };
  const SystemUsage &s = now.sys, &p = prev.sys;
  const Counters &c = now.counters, &q = prev.counters;
  Change all[] = {{"frames used", d(s.frames_used, p.frames_used)},
                  {"shared", d(s.frames_shared, p.frames_shared)},
                  {"private", d(s.frames_private, p.frames_private)},
                  {"page cache", d(s.page_cache, p.page_cache)},
                  {"COW copies", d(c.cow_copies, q.cow_copies)},
                  {"reuses", d(c.cow_reuses, q.cow_reuses)},
                  {"zero fills", d(c.zero_fills, q.zero_fills)},
                  {"zero-page maps", d(c.zero_page_maps, q.zero_page_maps)},
                  {"file maps", d(c.file_maps, q.file_maps)},
                  {"PTEs copied", d(c.ptes_copied, q.ptes_copied)},
                  {"faults", d(c.faults, q.faults)},
                  {"OOM kills", d(c.oom_kills, q.oom_kills)},
                  {"segfaults", d(c.segfaults, q.segfaults)}};
  std::vector<Change> out;
  for (const Change& ch : all)
    if (ch.d != 0) out.push_back(ch);
  return out;
}

void draw_changes(const std::vector<Change>& list, const Palette& pal) {
  if (list.empty()) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.text_dim), "no change in the system numbers");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    if (i) ImGui::SameLine(0, 12);
    ImGui::TextUnformatted(list[i].label);
    delta_badge(pal, list[i].d);
  }
}

void preview_tooltip(const View& v, size_t step, const Palette& pal) {
  ImGui::BeginTooltip();
  std::string st = statement_text(v, step);
  ImGui::Text("step %zu: %s", step, step == 0 ? "before the first statement" : st.c_str());
  const Series& s = v.series;
  if (step > 0 && step < s.system.size() && s.system[step].valid && s.system[step - 1].valid)
    draw_changes(changes(s.system[step], s.system[step - 1]), pal);
  ImGui::EndTooltip();
}

constexpr int kCaptionMinLines = 2, kCaptionMaxLines = 4;

float big_line(const UiState& ui) { return big_font_size(ui); }

// Height of `text` in the large font, wrapped at `wrap` pixels.
float big_text_height(const std::string& text, float wrap, const UiState& ui) {
  if (ui.big_font) return ui.big_font->CalcTextSizeA(big_font_size(ui), FLT_MAX, wrap, text.c_str()).y;
  return ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap / 2).y * 2;
}

bool shows_caption(const View& v, const UiState& ui) { return !v.caption.empty() && !ui.quiz.veiled; }

void draw_caption(const View& v, UiState& ui) {
  if (!shows_caption(v, ui)) return;
  push_big_font(ui);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(v.caption.c_str());
  ImGui::PopTextWrapPos();
  pop_big_font(ui);
  record_rect(ui, "caption");
}

// Where ImGui puts a window's close button (RenderWindowTitleBarContents), as widget
// `id`: the button has no label for the widget probe to find.
void record_close_button(UiState& ui, const char* id) {
  const ImGuiStyle& st = ImGui::GetStyle();
  ImRect title = ImGui::GetCurrentWindow()->TitleBarRect();
  float size = ImGui::GetFontSize();
  ui.rects[id] = WidgetRect{title.Max.x - st.FramePadding.x - size, title.Min.y, size + 2 * st.FramePadding.x,
                            size + 2 * st.FramePadding.y};
}

}  // namespace

std::string current_caption(const View& v, size_t position) {
  return v.session ? script::step_caption(v.captions, v.session->script(), position) : "";
}

float travel_height(float width, const View& v, const UiState& ui) {
  const ImGuiStyle& st = ImGui::GetStyle();
  float h = ImGui::GetFrameHeightWithSpacing() + ImGui::GetTextLineHeightWithSpacing() + 2 * st.WindowPadding.y;
  if (!shows_caption(v, ui)) return h;
  float text = big_text_height(v.caption, width - 2 * st.WindowPadding.x, ui);
  float line = big_line(ui);
  return h + std::clamp(text, kCaptionMinLines * line, kCaptionMaxLines * line) + st.ItemSpacing.y;
}

float about_height(float width, float max, const UiState& ui) {
  if (!ui.about.open || ui.about.text.empty() || ui.options.embed) return 0;
  const ImGuiStyle& st = ImGui::GetStyle();
  float wrap = width - 2 * st.WindowPadding.x - st.ScrollbarSize;
  float text = ImGui::CalcTextSize(ui.about.text.c_str(), nullptr, false, wrap).y;
  return std::floor(std::min(max, ImGui::GetFrameHeight() + text + 2 * st.WindowPadding.y + 2));
}

void draw_about_panel(UiState& ui) {
  if (ui.layout.about.h <= 0) return;
  if (begin_panel("About this example", ui.layout.about, 0, &ui.about.open)) {
    record_close_button(ui, "about_close");
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(ui.about.text.c_str());  // no length limit, unlike TextWrapped
    ImGui::PopTextWrapPos();
    record_rect(ui, "about");
  }
  ImGui::End();
}

void draw_travel_panel(const View& v, UiState& ui) {
  const Palette& pal = palette(ui.options.dark);
  if (begin_panel("Time travel", ui.layout.travel, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar)) {
    if (v.busy) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "running: step %zu of %zu", v.session ? v.session->position() : 0, v.busy_target);
      float f = v.busy_target ? float(v.session ? v.session->position() : 0) / float(v.busy_target) : 0;
      ImGui::ProgressBar(f, ImVec2(-1, 0), buf);
    } else if (v.valid && v.session) {
      int pos = int(v.position);
      ImGui::TextUnformatted("Step");
      ImGui::SameLine();
      ImGui::SetNextItemWidth(-1);
      if (ImGui::SliderInt("##step", &pos, 0, int(v.steps), pos == 0 ? "before the first statement" : "%d") &&
          size_t(pos) != v.position)
        ui.requests.push_back({Command::StepTo, pos});
      record_rect(ui, "slider");
      ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
      SliderScale sc = slider_scale(a, b, v.steps);
      draw_marks(v, sc, a, b, pal);
      if (ImGui::IsItemHovered() && !ImGui::IsItemActive() && !ui.quiz.veiled)
        preview_tooltip(v, sc.step_at(ImGui::GetMousePos().x), pal);
      std::string st = statement_text(v, v.position);
      ImGui::Text("step %zu of %zu%s%s", v.position, v.steps, st.empty() ? "" : ":  ", st.c_str());
      if (ui.quiz.veiled || (v.position > 0 && v.has_prev)) {
        ImGui::SameLine(0, 24);
        if (ui.quiz.veiled) draw_veil(ui);
        else draw_changes(changes(v.now, v.prev), pal);
      }
      draw_caption(v, ui);
    }
  }
  ImGui::End();
}

}  // namespace cow::web
