// Panel 6, events: what each step did, one line per engine event ("C1 write heap[3]: COW
// copy, frame 117 -> 181"), for the current step or for every step so far.
#include <algorithm>
#include <cstdio>

#include "panels.h"

namespace cow::web {

namespace {

ImU32 event_color(EventKind k, const Palette& pal) {
  switch (k) {
    case EventKind::CowCopy:
    case EventKind::FileCopy:
    case EventKind::FramesCopied: return pal.up;
    case EventKind::CowReuse: return pal.priv;
    case EventKind::Segfault:
    case EventKind::OomKill:
    case EventKind::CommitRefused:
    case EventKind::ForkFailed: return pal.dirty;
    case EventKind::ZeroPageMap:
    case EventKind::ReadSees:
    case EventKind::Suppressed: return pal.text_dim;
    default: return 0;
  }
}

void header_line(const View& v, size_t step, const Palette& pal) {
  std::string st = statement_text(v, step);
  int line = v.session->script().statements[step - 1].pos.line;
  ImGui::PushStyleColor(ImGuiCol_Text, step == v.position ? pal.highlight : pal.text_dim);
  ImGui::Text("step %zu, line %d: %s", step, line, st.c_str());
  ImGui::PopStyleColor();
}

// A line per event; a click opens the inspector on it.
void event_line(const View& v, UiState& ui, size_t step, size_t i, const Palette& pal) {
  const auto& lines = v.events[step - 1].lines;
  const auto& history = v.session->history();
  ImU32 c = 0;
  if (step - 1 < history.size() && i < history[step - 1].events.size())
    c = event_color(history[step - 1].events[i].kind, pal);
  if (c) ImGui::PushStyleColor(ImGuiCol_Text, c);
  const InspectTarget& t = ui.inspector.target;
  bool selected = t.kind == InspectKind::Event && t.step == step && t.event == i;
  ImGui::PushID(int(i));
  ImGui::PushID(int(step));
  ImGui::Indent(16);
  if (ImGui::Selectable(lines[i].c_str(), selected))
    inspect(ui, {.kind = InspectKind::Event, .step = step, .event = i});
  ImGui::Unindent(16);
  ImGui::PopID();
  ImGui::PopID();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Click to inspect: the page walk, the PTE and the handlers' decisions");
  if (c) ImGui::PopStyleColor();
  std::string id = "event:" + std::to_string(step) + ":" + std::to_string(i);
  record_visible_rect(ui, id.c_str());
}

bool described(const View& v, size_t step) {
  return step >= 1 && step <= v.events.size() && v.events[step - 1].built && v.session &&
         step <= v.session->script().statements.size();
}

// Steps 1..position as rows: one header per step, then its lines. Clipped.
void draw_all_steps(const View& v, UiState& ui, const Palette& pal) {
  auto rows = [&](size_t s) { return 1 + (described(v, s) ? v.events[s - 1].lines.size() : 0); };
  std::vector<size_t> start(v.position + 2, 0);  // start[s]: first row of step s (s >= 1)
  for (size_t s = 1; s <= v.position; ++s) start[s + 1] = start[s] + rows(s);
  size_t total = start[v.position + 1];
  float row_h = ImGui::GetTextLineHeightWithSpacing();
  if (ui.events_scroll_pos != v.position || ui.events_scroll_gen != v.generation) {
    ui.events_scroll_pos = v.position;
    ui.events_scroll_gen = v.generation;
    if (v.position > 0) ImGui::SetScrollY(float(start[v.position]) * row_h);
  }
  ImGuiListClipper clip;
  clip.Begin(int(total), row_h);
  while (clip.Step()) {
    for (int row = clip.DisplayStart; row < clip.DisplayEnd; ++row) {
      auto it = std::upper_bound(start.begin() + 1, start.begin() + v.position + 1, size_t(row));
      size_t s = size_t(it - start.begin()) - 1;
      size_t i = size_t(row) - start[s];
      if (!described(v, s)) {
        ImGui::TextUnformatted("");
        continue;
      }
      if (i == 0) header_line(v, s, pal);
      else event_line(v, ui, s, i - 1, pal);
    }
  }
}

void draw_current_step(const View& v, UiState& ui, const Palette& pal) {
  if (v.position == 0) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.text_dim), "before the first statement");
    return;
  }
  // A step without events (show, expect): also the latest step that had some.
  size_t step = v.position;
  while (step > 0 && described(v, step) && v.events[step - 1].lines.empty()) --step;
  if (!described(v, v.position)) return;
  header_line(v, v.position, pal);
  if (step != v.position) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.text_dim), "    (no events; the latest were:)");
    if (step == 0 || !described(v, step)) return;
    header_line(v, step, pal);
  }
  const auto& lines = v.events[step - 1].lines;
  ImGuiListClipper clip;
  clip.Begin(int(lines.size()));
  while (clip.Step())
    for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) event_line(v, ui, step, size_t(i), pal);
}

void draw_events_tab(const View& v, UiState& ui, const Palette& pal) {
  ImGui::Checkbox("all steps", &ui.events_all_steps);
  ImGui::BeginChild("##events", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  if (v.valid && v.session) {
    if (ui.events_all_steps) draw_all_steps(v, ui, pal);
    else draw_current_step(v, ui, pal);
  }
  ImGui::EndChild();
}

}  // namespace

void draw_events_panel(const View& v, UiState& ui) {
  const Palette& pal = palette(ui.options.dark);
  if (begin_panel("Events", ui.layout.events, ImGuiWindowFlags_NoTitleBar) && ImGui::BeginTabBar("##lower")) {
    if (ImGui::BeginTabItem("Events")) {
      if (!draw_veil(ui)) draw_events_tab(v, ui, pal);
      ImGui::EndTabItem();
    }
    ImGuiTabItemFlags quiz_flags = ui.quiz.select_tab ? ImGuiTabItemFlags_SetSelected : 0;
    ui.quiz.select_tab = false;
    if (ImGui::BeginTabItem("Quiz", nullptr, quiz_flags)) {
      draw_quiz_tab(v, ui);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Cost")) {
      draw_cost_tab(v, ui);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("/proc")) {
      if (!draw_veil(ui)) draw_proc_tab(v, ui);
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

}  // namespace cow::web
