// Nothing lost: the editor's text is the visitor's own once it differs from what the last
// example, link or quiz put there (or when the page restored it from the browser's
// storage). An example, a quiz or a pasted link that would replace such text asks first
// ("Replace your script?", Replace / Cancel); the API (window.cowlab.load, postMessage)
// never asks. A quiz keeps the playground it interrupted, and leaving it brings that back.
// facts_json() tells the page (web/cowlab-host.js) what it needs to save the script and
// keep the address bar in step.
#include <algorithm>

#include "engine/script/json.h"
#include "panels.h"

namespace cow::web {

namespace {

constexpr const char* kReplaceTitle = "Replace your script?";

const char* replacement_name(const Request& r) {
  return r.cmd == Command::Quiz ? "a quiz (leaving the quiz brings your script back)" : "this script";
}

}  // namespace

bool ScriptKeeper::edited(const UiState& ui) const {
  if (ui.quiz.active) return before_quiz && (before_quiz->restored || before_quiz->text != before_quiz->origin);
  return restored || ui.editor.text != origin;
}

bool ScriptKeeper::ask_first(UiState& ui, const Request& r) const {
  if (r.confirmed == Confirmed::Yes || !edited(ui)) return false;
  if (r.cmd == Command::Quiz && ui.quiz.active) return false;  // "New quiz": the script before stays kept
  ui.replace_ask = r;
  return true;
}

void ScriptKeeper::replaced(std::string_view text, LoadAs as) {
  origin = text;
  restored = as == LoadAs::Restore;
}

ScriptKeeper::Before ScriptKeeper::snapshot(const UiState& ui, long step) const {
  return {.text = ui.editor.text, .origin = origin, .step = step, .restored = restored, .about = ui.about};
}

void draw_replace_dialog(UiState& ui) {
  if (!ui.replace_ask) return;
  if (!ImGui::IsPopupOpen(kReplaceTitle)) ImGui::OpenPopup(kReplaceTitle);
  ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal(kReplaceTitle, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  ImGui::Text("The editor holds your own script.\nReplace it with %s?", replacement_name(*ui.replace_ask));
  ImGui::Spacing();
  bool answered = false;
  if (ImGui::Button("Replace")) {
    Request r = *ui.replace_ask;
    r.confirmed = Confirmed::Yes;
    ui.requests.push_back(std::move(r));
    answered = true;
  }
  record_rect(ui, "replace_ok");
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) answered = true;
  record_rect(ui, "replace_cancel");
  if (answered) {
    ui.replace_ask.reset();
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

std::vector<const script::ExpectOutcome*> failed_expects(const script::Session& s) {
  std::vector<const script::ExpectOutcome*> out;
  for (const script::ExpectOutcome& ex : s.expects())
    if (!ex.ok) out.push_back(&ex);
  std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->line < b->line; });
  return out;
}

std::string facts_json(const View& v, const UiState& ui, bool edited) {
  auto flag = [](bool b) { return b ? "true" : "false"; };
  std::string out = std::string("{\"edited\":") + flag(edited) + ",\"quiz\":" + flag(ui.quiz.active) +
                    ",\"asking\":" + flag(ui.replace_ask.has_value()) + ",\"step\":" + std::to_string(v.position) +
                    ",\"failed\":[";
  if (v.session) {
    const char* sep = "";
    for (const script::ExpectOutcome* ex : failed_expects(*v.session)) {
      out += sep;
      out += "{\"line\":" + std::to_string(ex->line) + ",\"process\":" + script::json_string(ex->process) +
             ",\"region\":" + script::json_string(ex->region) + ",\"metric\":" + script::json_string(ex->metric) +
             ",\"expected\":" + script::json_string(ex->expected) + ",\"actual\":" + script::json_string(ex->actual) +
             "}";
      sep = ",";
    }
  }
  const std::optional<script::Diagnostic>& err = ui.editor.syntax_error ? ui.editor.syntax_error : v.error;
  std::string error = err ? "line " + std::to_string(err->pos.line) + ": " + err->message : "";
  return out + "],\"error\":" + script::json_string(error) + "}";
}

}  // namespace cow::web
