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
  ImGui::MenuItem("Events", nullptr, &ui.show_events);
  ImGui::MenuItem("Physical memory", nullptr, &ui.show_physical);
  ImGui::MenuItem("Timeline", nullptr, &ui.show_timeline);
  ImGui::Separator();
  ImGui::MenuItem("Inspector", nullptr, &ui.inspector.open);
  ImGui::MenuItem("Page tables", nullptr, &ui.inspector.show_tables);
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
    ImGui::TextDisabled("cc -O2 scenario.c -lpthread -o scenario && ./scenario  (prints what /proc/PID/smaps shows)");
    ImGui::InputTextMultiline("##c", ui.export_text.data(), ui.export_text.size() + 1, ImVec2(-1, -1),
                              ImGuiInputTextFlags_ReadOnly);
  }
  ImGui::End();
  if (!open) ui.export_text.clear();
}

// Share: the link (also put in the address bar), the link to the current step, or the
// <iframe> code for a course page (engine/script/link.h makes both links).
void share_menu(UiState& ui) {
  bool open = ImGui::BeginMenu("Share");
  record_rect(ui, "share");
  if (!open) return;
  if (ImGui::MenuItem("Copy link")) ui.requests.push_back({Command::Share, kShareLink});
  record_rect(ui, "share_link");
  if (ImGui::MenuItem("Copy embed code")) ui.requests.push_back({Command::Share, kShareEmbedCode});
  record_rect(ui, "share_embed");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("An <iframe> for a course page, at this step");
  if (ImGui::MenuItem("Copy link to this step")) ui.requests.push_back({Command::Share, kShareStepLink});
  record_rect(ui, "share_step");
  ImGui::EndMenu();
}

}  // namespace

void draw_menu_panel(const View& v, UiState& ui) {
  if (!ui.options.embed && ImGui::BeginMainMenuBar()) {
    ImGui::TextUnformatted("cowlab");
    ImGui::TextDisabled("copy-on-write playground");
    examples_menu(v, ui);
    view_menu(ui);
    share_menu(ui);
    if (ImGui::MenuItem("Run this on your Linux")) ui.requests.push_back({Command::ExportC});
    record_rect(ui, "export");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("The script as a C program: run it on Linux and compare the numbers");
    if (ImGui::MenuItem("Quiz")) ui.requests.push_back({Command::Quiz, long(std::max(0, ui.quiz.next_seed))});
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("A generated scenario: predict the numbers, then check");
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
