// Panel 1, the script editor: Run / Step / Step back / Reset / Play, a multiline editor
// with line numbers, the current statement and any error highlighted at its line and
// column, and pass/fail marks on `expect` lines. In live mode an edit re-runs the script
// from the first changed statement, at once (App::tick_live); a typo leaves the last good
// state on screen.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/script/lines.h"
#include "panels.h"

namespace cow::web {

namespace {

// Where line `i` (0-based) of the text is drawn.
struct TextGeometry {
  ImVec2 origin;    // top-left of the first line's text
  float line_h = 13;
  float gutter = 40;
  float width = 0;  // of the text area
  float line_y(int i) const { return origin.y + float(i) * line_h; }
};

int text_callback(ImGuiInputTextCallbackData* d) {
  auto* ed = static_cast<EditorState*>(d->UserData);
  if (d->EventFlag == ImGuiInputTextFlags_CallbackResize) {
    ed->text.resize(size_t(d->BufTextLen));
    d->Buf = ed->text.data();
  } else if (d->EventFlag == ImGuiInputTextFlags_CallbackAlways) {
    ed->cursor = d->CursorPos;
    ed->cursor_line = int(std::count(d->Buf, d->Buf + std::min(d->CursorPos, d->BufTextLen), '\n'));
  }
  return 0;
}

void measure_text(EditorState& ed) {
  if (ed.measured_size == ed.text.size()) return;
  ed.line_count = 1;
  ed.text_width = 0;
  size_t start = 0;
  for (size_t i = 0; i <= ed.text.size(); ++i) {
    if (i < ed.text.size() && ed.text[i] != '\n') continue;
    const char* b = ed.text.data() + start;
    ed.text_width = std::max(ed.text_width, ImGui::CalcTextSize(b, ed.text.data() + i).x);
    if (i < ed.text.size()) ++ed.line_count;
    start = i + 1;
  }
  ed.measured_size = ed.text.size();
}

void draw_toolbar(const View& v, UiState& ui) {
  if (ImGui::Button("Run")) ui.requests.push_back({Command::Run});
  record_rect(ui, "run");
  ImGui::SameLine();
  ImGui::BeginDisabled(v.busy);
  if (ImGui::Button("Step")) ui.requests.push_back({Command::Step});
  record_rect(ui, "step");
  ImGui::SameLine();
  if (ImGui::Button("Step back")) ui.requests.push_back({Command::StepBack});
  record_rect(ui, "step_back");
  ImGui::SameLine();
  if (ImGui::Button("Reset")) ui.requests.push_back({Command::Reset});
  record_rect(ui, "reset");
  ImGui::EndDisabled();
  if (ui.options.embed) return;
  if (ImGui::Button(ui.play.playing ? "Pause##play" : "Play##play")) {
    ui.play.playing = !ui.play.playing;
    ui.play.just_started = ui.play.playing;
  }
  record_rect(ui, "play");
  ImGui::SameLine();
  // The speed beside the slider, not on it: the slider's handle would cover its digits.
  char speed[32];
  std::snprintf(speed, sizeof speed, "%.1f steps/s", double(ui.play.speed));
  float label_w = ImGui::CalcTextSize("20.0 steps/s").x + ImGui::GetStyle().ItemSpacing.x;
  ImGui::SetNextItemWidth(std::max(40.0f, ImGui::GetContentRegionAvail().x - 70 - label_w));
  ImGui::SliderFloat("##speed", &ui.play.speed, 0.5f, 20.0f, "", ImGuiSliderFlags_Logarithmic);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Play speed");
  ImGui::SameLine();
  ImGui::TextUnformatted(speed);
  if (!ui.options.readonly) {
    ImGui::SameLine();
    ImGui::Checkbox("Live", &ui.editor.live);
    record_rect(ui, "live");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Re-run the script as you type");
    if (ui.editor.live && (ui.editor.last_edit >= 0 || v.busy)) {  // an edit waits or runs
      ImGui::SameLine();
      ImGui::TextDisabled("...");
    }
  }
}

// The error to show: a syntax error of the text being typed wins over the session's.
const script::Diagnostic* shown_error(const View& v, const UiState& ui) {
  if (ui.editor.syntax_error) return &*ui.editor.syntax_error;
  if (v.error) return &*v.error;
  return nullptr;
}

void draw_line_bands(const View& v, const UiState& ui, const TextGeometry& g, const Palette& pal) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float x0 = g.origin.x - g.gutter, x1 = g.origin.x + g.width;
  if (v.session && v.position > 0 && v.position <= v.session->script().statements.size() &&
      !ui.editor.syntax_error) {
    int line = v.session->script().statements[v.position - 1].pos.line - 1;
    dl->AddRectFilled(ImVec2(x0, g.line_y(line)), ImVec2(x1, g.line_y(line + 1)), pal.current_line);
  }
  const EditorState& ed = ui.editor;
  if (ed.flash_line > 0 && ImGui::GetTime() < ed.flash_until) {  // a failed expect was clicked
    int line = ed.flash_line - 1;
    dl->AddRect(ImVec2(x0, g.line_y(line)), ImVec2(x1, g.line_y(line + 1)), pal.dirty, 0, 0, 2.0f);
  }
  if (const script::Diagnostic* err = shown_error(v, ui)) {
    int line = err->pos.line - 1;
    if (line < 0) return;
    dl->AddRectFilled(ImVec2(x0, g.line_y(line)), ImVec2(x1, g.line_y(line + 1)), pal.error_line);
    // A wavy underline under the token at the column.
    const std::string& t = ui.editor.text;
    std::string_view text_line = script::line_at(t, line + 1);
    if (text_line.data() == nullptr) return;  // past the last line
    size_t start = size_t(text_line.data() - t.data()), end = start + text_line.size();
    size_t col = std::min(start + size_t(std::max(err->pos.col - 1, 0)), end);
    size_t tok = col;
    while (tok < end && t[tok] != ' ' && t[tok] != '\t') ++tok;
    if (tok == col) tok = std::min(col + 1, end + 1);
    float a = g.origin.x + ImGui::CalcTextSize(t.data() + start, t.data() + col).x;
    float b = std::max(a + 6, g.origin.x + ImGui::CalcTextSize(t.data() + start, t.data() + std::min(tok, end)).x);
    float y = g.line_y(line + 1) - 1;
    for (float x = a; x < b; x += 4)
      dl->AddLine(ImVec2(x, y), ImVec2(std::min(x + 2, b), y - 2), pal.dirty, 1.5f),
          dl->AddLine(ImVec2(x + 2, y - 2), ImVec2(std::min(x + 4, b), y), pal.dirty, 1.5f);
  }
}

// Line numbers, the next statement's arrow and expect results, for visible lines only.
void draw_gutter(const View& v, const UiState& ui, const TextGeometry& g, const Palette& pal) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float scroll = ImGui::GetScrollY(), visible = ImGui::GetWindowHeight();
  int first = std::max(0, int((scroll - ImGui::GetStyle().FramePadding.y) / g.line_h) - 1);
  int last = std::min(ui.editor.line_count, first + int(visible / g.line_h) + 3);
  float x0 = g.origin.x - g.gutter;
  char num[16];
  for (int i = first; i < last; ++i) {
    std::snprintf(num, sizeof num, "%d", i + 1);
    float w = ImGui::CalcTextSize(num).x;
    dl->AddText(ImVec2(g.origin.x - 10 - w, g.line_y(i)), pal.text_dim, num);
  }
  if (v.session == nullptr || ui.editor.syntax_error) return;
  const auto& st = v.session->script().statements;
  if (v.position < st.size() && !v.error) {
    float y = g.line_y(st[v.position].pos.line - 1), h = g.line_h;
    dl->AddTriangleFilled(ImVec2(x0 + 2, y + 2), ImVec2(x0 + 2, y + h - 2), ImVec2(x0 + 8, y + h / 2), pal.up);
  }
  ImVec2 mouse = ImGui::GetMousePos();
  for (const script::ExpectOutcome& ex : v.session->expects()) {
    if (ex.line - 1 < first || ex.line - 1 >= last) continue;
    ImVec2 c(x0 + 5, g.line_y(ex.line - 1) + g.line_h / 2);
    dl->AddCircleFilled(c, 3.5f, ex.ok ? pal.priv : pal.dirty);
    if (ImGui::IsWindowHovered() && std::abs(mouse.y - c.y) < g.line_h / 2 && mouse.x < g.origin.x)
      ImGui::SetTooltip("%s", ex.message.c_str());
  }
}

// Keeps the cursor's line in view of the scrolling child as the visitor types, and
// scrolls to a line asked for (show_line: a failed expect was clicked).
void follow_cursor(EditorState& ed, const TextGeometry& g, bool active) {
  if (ed.show_line > 0) {
    float top = float(ed.show_line - 1) * g.line_h;
    ImGui::SetScrollY(std::max(0.0f, top - ImGui::GetWindowHeight() / 3));
    ed.show_line = 0;
  }
  if (!active || ed.cursor_line == ed.scrolled_line) return;
  ed.scrolled_line = ed.cursor_line;
  float top = g.line_y(ed.cursor_line) - ImGui::GetWindowPos().y + ImGui::GetScrollY();
  float h = ImGui::GetWindowHeight() - ImGui::GetStyle().ScrollbarSize;
  if (top - g.line_h < ImGui::GetScrollY()) ImGui::SetScrollY(std::max(0.0f, top - g.line_h));
  else if (top + 2 * g.line_h > ImGui::GetScrollY() + h) ImGui::SetScrollY(top + 2 * g.line_h - h);
}

void draw_text_area(const View& v, UiState& ui, float height) {
  EditorState& ed = ui.editor;
  const Palette& pal = palette(ui.options.dark);
  const ImGuiStyle& style = ImGui::GetStyle();
  measure_text(ed);
  ImGui::PushStyleColor(ImGuiCol_ChildBg, pal.editor_bg);
  ImGui::BeginChild("##script_scroll", ImVec2(0, height), true, ImGuiWindowFlags_HorizontalScrollbar);
  TextGeometry g;
  g.line_h = ImGui::GetFontSize();
  g.gutter = ImGui::CalcTextSize("0000").x + 22;
  ImVec2 start = ImGui::GetCursorScreenPos();
  g.origin = ImVec2(start.x + g.gutter + style.FramePadding.x, start.y + style.FramePadding.y);
  ImVec2 avail = ImGui::GetContentRegionAvail();
  g.width = std::max(avail.x - g.gutter, ed.text_width + 3 * g.line_h);
  float h = std::max(avail.y, float(ed.line_count + 1) * g.line_h + 2 * style.FramePadding.y);
  draw_line_bands(v, ui, g, pal);
  draw_gutter(v, ui, g, pal);

  ImGui::SetCursorScreenPos(ImVec2(start.x + g.gutter, start.y));
  ImGui::PushStyleColor(ImGuiCol_FrameBg, IM_COL32(0, 0, 0, 0));
  ImGuiInputTextFlags flags = ImGuiInputTextFlags_AllowTabInput | ImGuiInputTextFlags_CallbackResize |
                              ImGuiInputTextFlags_CallbackAlways;
  if (ui.options.readonly || ui.quiz.active) flags |= ImGuiInputTextFlags_ReadOnly;
  if (ImGui::InputTextMultiline("##script", ed.text.data(), ed.text.capacity() + 1, ImVec2(g.width, h),
                                flags, text_callback, &ed))
    ed.last_edit = ImGui::GetTime();
  record_visible_rect(ui, "editor");
  follow_cursor(ed, g, ImGui::IsItemActive());
  ImGui::PopStyleColor();
  ImGui::EndChild();
  ImGui::PopStyleColor();
}

// The error, if any, then the count of expects: a runtime error does not hide the count.
void draw_status(const View& v, const UiState& ui) {
  const Palette& pal = palette(ui.options.dark);
  if (const script::Diagnostic* err = shown_error(v, ui)) {
    ImGui::PushStyleColor(ImGuiCol_Text, pal.dirty);
    ImGui::TextWrapped("line %d, col %d: %s", err->pos.line, err->pos.col, err->message.c_str());
    ImGui::PopStyleColor();
    if (ui.editor.syntax_error && v.valid) {
      ImGui::PushStyleColor(ImGuiCol_Text, pal.text_dim);
      ImGui::TextWrapped("(showing the last script that ran)");
      ImGui::PopStyleColor();
    }
  }
  if (v.session == nullptr) return;
  size_t failed = 0, total = v.session->expects().size();
  for (const auto& ex : v.session->expects()) failed += !ex.ok;
  if (total == 0)
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.text_dim), "%s",
                       v.position < v.steps ? "no expect ran yet" : "no expect in this script");
  else if (failed == 0) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.priv), "all %zu expects hold", total);
  else ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.dirty), "%zu of %zu expects failed", failed, total);
}

}  // namespace

void draw_editor_panel(const View& v, UiState& ui) {
  if (begin_panel("Script", ui.layout.editor)) {
    draw_toolbar(v, ui);
    float line = ImGui::GetTextLineHeightWithSpacing();
    float status_h = line * (shown_error(v, ui) ? (ui.editor.syntax_error ? 4 : 3) : 1) + 8;
    float avail = ImGui::GetContentRegionAvail().y;
    float list_h = expect_list_height(v, std::floor(avail * 0.3f));
    draw_text_area(v, ui, std::max(60.0f, avail - status_h - list_h));
    draw_status(v, ui);
    draw_expect_list(v, ui, list_h);
  }
  ImGui::End();
}

}  // namespace cow::web
