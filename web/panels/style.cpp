// Colours, the theme, and the small drawing helpers every panel shares.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>

#include "imgui_internal.h"
#include "panels.h"

namespace cow::web {

namespace {

Palette make_palette(bool dark) {
  Palette p{};
  const figure::Colors& c = figure::colors(dark ? figure::Theme::Dark : figure::Theme::Light);
  p.colors = &c;
  p.unmapped = im_color(c.unmapped);
  p.absent = im_color(c.absent);
  p.zero = im_color(c.zero);
  p.priv = im_color(c.priv);
  for (int b = 0; b < 8; ++b) {
    p.shared[b] = im_color(c.shared[b]);
    p.file[b] = im_color(c.file[b]);
    p.shmem[b] = im_color(c.shmem[b]);
  }
  p.dirty = im_color(c.dirty);
  p.cow_wp = im_color(c.cow_wp);
  p.free_frame = im_color(c.free_frame);
  p.grid = im_color(c.grid);
  p.text_dim = im_color(c.text_dim);
  p.huge = im_color(c.huge);
  for (int i = 0; i < 10; ++i) p.series[i] = im_color(c.series[i]);
  p.up = dark ? IM_COL32(255, 170, 70, 255) : IM_COL32(200, 110, 0, 255);
  p.down = dark ? IM_COL32(100, 185, 255, 255) : IM_COL32(20, 110, 200, 255);
  p.highlight = dark ? IM_COL32(255, 255, 255, 230) : IM_COL32(0, 0, 0, 220);
  p.current_line = dark ? IM_COL32(70, 110, 190, 90) : IM_COL32(120, 160, 240, 80);
  p.editor_bg = dark ? IM_COL32(13, 15, 19, 255) : IM_COL32(255, 255, 255, 255);
  p.error_line = dark ? IM_COL32(200, 50, 50, 80) : IM_COL32(240, 80, 80, 60);
  return p;
}

}  // namespace

const Palette& palette(bool dark) {
  static const Palette kDark = make_palette(true), kLight = make_palette(false);
  return dark ? kDark : kLight;
}

void apply_theme(bool dark) {
  if (dark) ImGui::StyleColorsDark();
  else ImGui::StyleColorsLight();
  ImGuiStyle& s = ImGui::GetStyle();
  s.WindowRounding = 4;
  s.ChildRounding = 3;
  s.FrameRounding = 3;
  s.GrabRounding = 3;
  s.PopupRounding = 3;
  s.ScrollbarRounding = 6;
  s.WindowPadding = ImVec2(8, 6);
  s.FramePadding = ImVec2(6, 3);
  s.ItemSpacing = ImVec2(8, 5);
  s.ScrollbarSize = 12;
  s.WindowBorderSize = 1;
  s.WindowTitleAlign = ImVec2(0.0f, 0.5f);
  ImVec4* c = s.Colors;
  if (dark) {
    c[ImGuiCol_WindowBg] = ImVec4(0.09f, 0.10f, 0.12f, 1.00f);
    c[ImGuiCol_TitleBg] = c[ImGuiCol_TitleBgActive] = ImVec4(0.14f, 0.17f, 0.23f, 1.00f);
    c[ImGuiCol_MenuBarBg] = ImVec4(0.12f, 0.13f, 0.16f, 1.00f);
  } else {
    c[ImGuiCol_WindowBg] = ImVec4(0.97f, 0.97f, 0.98f, 1.00f);
    c[ImGuiCol_TitleBg] = c[ImGuiCol_TitleBgActive] = ImVec4(0.84f, 0.87f, 0.93f, 1.00f);
  }
}

ImU32 im_color(figure::Rgba c) { return IM_COL32(c.r, c.g, c.b, c.a); }

ImU32 page_color(uint8_t b, const Palette& p) { return im_color(figure::page_color(b, *p.colors)); }

ImU32 frame_color(uint8_t b, const Palette& p) { return im_color(figure::frame_color(b, *p.colors)); }

ImU32 process_color(ProcId id, const Palette& pal) { return im_color(figure::process_color(id, *pal.colors)); }

void draw_fill_cell(ImDrawList* dl, ImVec2 a, float size, uint8_t fill, ImU32 color, ImU32 background) {
  ImVec2 b(a.x + size, a.y + size);
  if (fill >= 250) {
    dl->AddRectFilled(a, b, color);
    return;
  }
  dl->AddRectFilled(a, b, background);
  float h = std::max(2.0f, size * float(fill) / 255.0f);
  dl->AddRectFilled(ImVec2(a.x, b.y - h), b, color);
}

void zoom_controls(const char* auto_label, const char* slider_id, const char* unit, float width_em, int max_zoom,
                   int& zoom, bool& auto_zoom) {
  ImGui::Checkbox(auto_label, &auto_zoom);
  ImGui::SameLine();
  char fmt[48];
  std::snprintf(fmt, sizeof fmt, "%u %s%s per cell", 1u << zoom, unit, zoom ? "s" : "");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * width_em);
  if (ImGui::SliderInt(slider_id, &zoom, 0, max_zoom, fmt)) auto_zoom = false;
}

void begin_cell_map(const char* id) {
  ImGui::BeginChild(id, ImVec2(0, 0), false, ImGui::GetIO().KeyCtrl ? ImGuiWindowFlags_NoScrollWithMouse : 0);
}

void end_cell_map(int max_zoom, int& zoom, bool& auto_zoom) {
  const ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsWindowHovered() && io.KeyCtrl && io.MouseWheel != 0) {
    auto_zoom = false;
    zoom = std::clamp(zoom - (io.MouseWheel > 0 ? 1 : -1), 0, max_zoom);
  }
  ImGui::EndChild();
}

bool begin_panel(const char* title, const Rect& r, ImGuiWindowFlags extra, bool* open) {
  ImGui::SetNextWindowPos(ImVec2(r.x, r.y), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(r.w, r.h), ImGuiCond_Always);
  // The panels tile the screen, which main.cpp clears to WindowBg every frame: drawing
  // their backgrounds again would give the same pixels and, in a browser without a GPU,
  // double the area to fill (alpha 0: ImGui adds no rectangle; borders stay).
  ImGui::SetNextWindowBgAlpha(0.0f);
  ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                           ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                           ImGuiWindowFlags_NoBringToFrontOnFocus | extra;
  return ImGui::Begin(title, open, flags);
}

void push_big_font(const UiState& ui) {
  if (ui.big_font) ImGui::PushFont(ui.big_font);
  else ImGui::SetWindowFontScale(2.0f);
}

float big_font_size(const UiState& ui) {
  return ui.big_font ? ui.big_font->FontSize * ImGui::GetIO().FontGlobalScale : ImGui::GetFontSize() * 2;
}

void pop_big_font(const UiState& ui) {
  if (ui.big_font) ImGui::PopFont();
  else ImGui::SetWindowFontScale(1.0f);
}

void record_rect(UiState& ui, const char* id) {
  ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  ui.rects[id] = WidgetRect{a.x, a.y, b.x - a.x, b.y - a.y};
}

void record_visible_rect(UiState& ui, const char* id) {
  ImRect item(ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
  item.ClipWith(ImRect(wp, ImVec2(wp.x + ws.x, wp.y + ws.y)));
  ui.rects[id] = WidgetRect{item.Min.x, item.Min.y, item.GetWidth(), item.GetHeight()};
}

void delta_badge(const Palette& pal, double d, bool pss) {
  if (std::fabs(d) < 1e-9) return;
  ImU32 col = d > 0 ? pal.up : pal.down;
  ImGui::SameLine(0, 4);
  float h = ImGui::GetFontSize();
  float w = h * 0.7f;
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float top = p.y + h * 0.2f, bottom = p.y + h * 0.85f;
  if (d > 0) dl->AddTriangleFilled(ImVec2(p.x + w / 2, top), ImVec2(p.x + w, bottom), ImVec2(p.x, bottom), col);
  else dl->AddTriangleFilled(ImVec2(p.x, top), ImVec2(p.x + w, top), ImVec2(p.x + w / 2, bottom), col);
  ImGui::Dummy(ImVec2(w, h));
  ImGui::SameLine(0, 2);
  char buf[40];
  if (pss) std::snprintf(buf, sizeof buf, "%.4g", std::fabs(d));
  else std::snprintf(buf, sizeof buf, "%.0f", std::fabs(d));
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(col), "%s", buf);
}

void draw_marker(ImDrawList* dl, ImVec2 a, float size, Marker m, const Palette& pal) {
  if (m == Marker::Dirty) {
    float k = std::max(3.0f, size * 0.34f);
    dl->AddTriangleFilled(ImVec2(a.x + size - k, a.y), ImVec2(a.x + size, a.y), ImVec2(a.x + size, a.y + k), pal.dirty);
  } else if (m == Marker::CowWp) {
    dl->AddLine(ImVec2(a.x + 1, a.y + size - 1), ImVec2(a.x + size - 1, a.y + 1), pal.cow_wp, 1.0f);
  } else if (m == Marker::HugePmd) {
    dl->AddRect(a, ImVec2(a.x + size, a.y + size), pal.huge, 0, 0, 2.0f);
  } else if (m == Marker::HugeSplit) {
    draw_dashed_rect(dl, a, ImVec2(a.x + size, a.y + size), pal.huge);
  }
}

void draw_dashed_rect(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 color) {
  const float dash = 3, gap = 2;
  auto line = [&](ImVec2 p, ImVec2 q) {
    float len = std::max(std::abs(q.x - p.x), std::abs(q.y - p.y));
    for (float t = 0; t < len; t += dash + gap) {
      float u = std::min(len, t + dash);
      dl->AddLine(ImVec2(p.x + (q.x - p.x) * t / len, p.y + (q.y - p.y) * t / len),
                  ImVec2(p.x + (q.x - p.x) * u / len, p.y + (q.y - p.y) * u / len), color, 1.0f);
    }
  };
  line(a, ImVec2(b.x, a.y));
  line(ImVec2(b.x, a.y), b);
  line(b, ImVec2(a.x, b.y));
  line(ImVec2(a.x, b.y), a);
}

namespace {

// A legend entry: swatches (one, or a ramp of narrower ones from light to dark), then the
// label; wraps to a new line when it does not fit. Its glossary entry `tip` on hover.
void legend_swatches(const Palette& pal, std::span<const ImU32> colors, const char* label, Marker marker,
                     const char* tip) {
  float h = ImGui::GetFontSize();
  float step = colors.size() > 1 ? h * 0.55f : h;
  float swatches = step * float(colors.size());
  float need = swatches + 4 + ImGui::CalcTextSize(label).x;
  if (ImGui::GetContentRegionAvail().x < need) ImGui::NewLine();
  ImGui::BeginGroup();
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float size = h - 3;
  for (size_t i = 0; i < colors.size(); ++i) {
    ImVec2 a(p.x + step * float(i), p.y + 2);
    float w = colors.size() > 1 ? step : size;
    dl->AddRectFilled(a, ImVec2(a.x + w, a.y + size), colors[i], colors.size() > 1 ? 0.0f : 2.0f);
    if (colors.size() == 1) draw_marker(dl, a, size, marker, pal);
  }
  ImGui::Dummy(ImVec2(std::max(h, swatches), h));
  ImGui::SameLine(0, 4);
  ImGui::TextUnformatted(label);
  ImGui::EndGroup();
  if (tip) glossary_tip(tip);
  ImGui::SameLine(0, 12);
}

}  // namespace

void legend_item(const Palette& pal, ImU32 color, const char* label, Marker marker, const char* tip) {
  legend_swatches(pal, std::span<const ImU32>(&color, 1), label, marker, tip);
}

void draw_state_legend(const Palette& pal, LegendOf which) {
  for (const figure::LegendRow& r : figure::legend(*pal.colors, which)) {
    std::vector<ImU32> colors;
    for (const figure::Rgba& c : r.ramp) colors.push_back(im_color(c));
    if (colors.empty()) colors.push_back(im_color(r.color));
    legend_swatches(pal, colors, r.label, r.marker, r.tip);
  }
  ImGui::NewLine();
}

void draw_legend(const UiState& ui, const Palette& pal, LegendOf which) {
  if (!ui.layout.compact) {
    draw_state_legend(pal, which);
    return;
  }
  ImGui::TextDisabled("Legend");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
    draw_state_legend(pal, which);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
  ImGui::SameLine();
}

bool draw_veil(const UiState& ui) {
  if (!ui.quiz.veiled) return false;
  const Palette& pal = palette(ui.options.dark);
  ImGui::PushStyleColor(ImGuiCol_Text, pal.up);
  ImGui::TextWrapped("Hidden until you predict: type your answers in the Quiz tab and press Reveal.");
  ImGui::PopStyleColor();
  return true;
}

namespace {
int string_callback(ImGuiInputTextCallbackData* d) {
  auto* s = static_cast<std::string*>(d->UserData);
  if (d->EventFlag == ImGuiInputTextFlags_CallbackResize) {
    s->resize(size_t(d->BufTextLen));
    d->Buf = s->data();
  }
  return 0;
}
}  // namespace

bool input_string(const char* id, std::string& s, float width, ImGuiInputTextFlags flags) {
  ImGui::SetNextItemWidth(width);
  return ImGui::InputText(id, s.data(), s.capacity() + 1, flags | ImGuiInputTextFlags_CallbackResize, string_callback, &s);
}

std::string pss_text(double pss) {
  char buf[32];
  format_pss(pss, buf);
  return buf;
}

}  // namespace cow::web
