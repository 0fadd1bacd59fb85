// Panel 8, the menu bar: the examples menu (every script of examples/), Share, theme,
// an optional "Export as C" window, and the Help window (help.cpp).
#include <algorithm>
#include <cstdio>

#include "keys.h"
#include "panels.h"

namespace cow::web {

namespace {

void examples_menu(const View& v, UiState& ui) {
  if (!ImGui::BeginMenu("Examples")) return;
  if (v.examples == nullptr || v.examples->empty()) ImGui::TextDisabled("no examples built in");
  if (v.examples) {
    for (const Example& ex : *v.examples) {
      std::string label = (ex.title.empty() ? ex.name : ex.title) + "##" + ex.name;
      // At step 0, before the first statement: the student steps through the tour.
      if (ImGui::MenuItem(label.c_str())) ui.requests.push_back({Command::Load, 0, ex.text});
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", ex.name.c_str());
    }
  }
  ImGui::EndMenu();
}

void view_menu(UiState& ui) {
  if (!ImGui::BeginMenu("View")) return;
  if (ImGui::MenuItem("Dark theme", nullptr, ui.options.dark)) ui.requests.push_back({Command::Theme});
  // "tab": no room of its own, the panel is a tab (web/panels/tabs.cpp).
  auto tab = [&](Pane p) { return ui.layout.tabs.has(p) ? "tab" : nullptr; };
  ImGui::MenuItem("Events", tab(Pane::Events), &ui.show_events);
  ImGui::MenuItem("Physical memory", tab(Pane::Physical), &ui.show_physical);
  ImGui::MenuItem("Timeline", tab(Pane::Timeline), &ui.show_timeline);
  ImGui::Separator();
  ImGui::MenuItem("Inspector", nullptr, &ui.inspector.open);
  ImGui::MenuItem("Page tables", nullptr, &ui.inspector.show_tables);
  ImGui::Separator();
  if (ImGui::MenuItem("Export figure")) ui.requests.push_back({Command::ExportFigure});
  record_rect(ui, "export_figure");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("This step as an SVG figure for slides, and a PNG of the page");
  lecture_menu_items(ui);
  ImGui::EndMenu();
}

void export_window(UiState& ui) {
  if (ui.export_text.empty()) return;
  ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowSize(ImVec2(vp->Size.x * 0.6f, vp->Size.y * 0.7f), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImVec2(vp->Size.x * 0.2f, vp->Size.y * 0.15f), ImGuiCond_Appearing);
  bool open = true;
  if (ImGui::Begin("The script as a C program", &open, ImGuiWindowFlags_NoSavedSettings)) {
    if (ImGui::Button("Copy")) ImGui::SetClipboardText(ui.export_text.c_str());
    record_rect(ui, "export_copy");
    ImGui::SameLine();
    if (ImGui::Button("Download")) ui.requests.push_back({Command::Download});
    record_rect(ui, "export_download");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Save it as scenario.c");
    ImGui::SameLine();
    ImGui::TextDisabled("cc -O2 scenario.c -lpthread -o scenario && ./scenario  (prints what /proc/PID/smaps shows)");
    ImGui::InputTextMultiline("##c", ui.export_text.data(), ui.export_text.size() + 1, ImVec2(-1, -1),
                              ImGuiInputTextFlags_ReadOnly);
  }
  ImGui::End();
  if (!open) ui.export_text.clear();
}

// Share: the link at the current step (also put in the address bar), the link that runs
// to the end, or the <iframe> code for a course page (engine/script/link.h makes both).
void share_menu(UiState& ui) {
  bool open = ImGui::BeginMenu("Share");
  record_rect(ui, "share");
  if (!open) return;
  if (ImGui::MenuItem("Copy link")) ui.requests.push_back({Command::Share, kShareLink});
  record_rect(ui, "share_link");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("A link that opens this script at this step");
  if (ImGui::MenuItem("Copy embed code")) ui.requests.push_back({Command::Share, kShareEmbedCode});
  record_rect(ui, "share_embed");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("An <iframe> for a course page, at this step");
  if (ImGui::MenuItem("Copy link that runs to the end")) ui.requests.push_back({Command::Share, kShareEndLink});
  record_rect(ui, "share_end");
  ImGui::EndMenu();
}

// How much of the menu bar's words fit: on a narrow or scaled window (1280 px at 2x is
// 640 units) the subtitle goes first, then the export item shortens, then the name goes,
// so that Help stays on screen.
struct MenuWords {
  bool name = true;
  bool subtitle = true;
  const char* export_label = "Run this on your Linux";
};

MenuWords menu_words() {
  float gap = ImGui::GetStyle().ItemSpacing.x * 2;
  auto width = [&](const char* text) { return ImGui::CalcTextSize(text).x + gap; };
  float all = 0;
  for (const char* label : {"Examples", "View", "Share", "Quiz", "Predict", "Help"}) all += width(label);
  MenuWords w;
  float room = ImGui::GetIO().DisplaySize.x;
  all += width("cowlab") + width("copy-on-write playground") + width(w.export_label);
  if (all <= room) return w;
  w.subtitle = false;
  all -= width("copy-on-write playground");
  if (all <= room) return w;
  w.export_label = "On Linux";
  all += width(w.export_label) - width("Run this on your Linux");
  w.name = all <= room;
  return w;
}

}  // namespace

void draw_menu_panel(const View& v, UiState& ui) {
  if (!ui.options.embed && ImGui::BeginMainMenuBar()) {
    MenuWords words = menu_words();
    if (words.name) ImGui::TextUnformatted("cowlab");
    if (words.subtitle) ImGui::TextDisabled("copy-on-write playground");
    examples_menu(v, ui);
    view_menu(ui);
    share_menu(ui);
    if (ImGui::MenuItem(words.export_label)) ui.requests.push_back({Command::ExportC});
    record_rect(ui, "export");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("The script as a C program: run it on Linux and compare the numbers");
    if (ImGui::MenuItem("Quiz")) ui.requests.push_back({Command::Quiz, 0, "", ui.quiz.next_seed});
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("A generated scenario: predict the numbers, then check");
    bool predicting = ui.quiz.active && ui.quiz.kind == QuizKind::Predict;
    if (ImGui::MenuItem("Predict", nullptr, predicting)) ui.requests.push_back({Command::Predict});
    record_rect(ui, "predict");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Predict, then reveal, on this script: at each `show` the numbers that changed stay hidden\n"
                        "until you type what its `expect` lines ask (&predict=1)");
    if (ImGui::MenuItem("Help")) ui.show_help = !ui.show_help;
    record_rect(ui, "help");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("A tour of the panels, the glossary (Rss, Pss, Shared...), the language");
    ImGui::EndMainMenuBar();
  }
  export_window(ui);
  draw_help_window(ui);
  draw_keys_window(ui);
}

}  // namespace cow::web
