// The quiz tab: the scenario of `cowlab quiz --seed N` runs to its first
// bookmark; the numbers stay veiled (draw_veil) until the student has typed a prediction
// for each question there and pressed Check; then right or wrong shows, with the answer.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "panels.h"

namespace cow::web {

namespace {

bool parse_number(const std::string& text, double* out) {
  const char* b = text.c_str();
  char* end = nullptr;
  *out = std::strtod(b, &end);
  if (end == b) return false;
  while (*end == ' ') ++end;
  return *end == '\0';
}

// Pss compares to within 0.01 page, as `expect` does; the rest exactly.
bool right_answer(const script::QuizQuestion& q, double value) {
  double answer = std::strtod(q.answer.c_str(), nullptr);
  double tol = q.metric == "pss" ? 0.01 : 1e-9;
  return std::fabs(value - answer) <= tol;
}

void check_bookmark(QuizState& q, int bookmark) {
  for (size_t i = 0; i < q.quiz.questions.size(); ++i) {
    const auto& qq = q.quiz.questions[i];
    double value;
    if (qq.bookmark == bookmark && parse_number(q.input[i], &value)) q.verdict[i] = right_answer(qq, value) ? 1 : -1;
  }
}

void question_row(QuizState& q, size_t i, const Palette& pal) {
  const script::QuizQuestion& qq = q.quiz.questions[i];
  ImGui::Text("Q%d  %s", qq.number, qq.label().c_str());
  ImGui::SameLine(ImGui::GetFontSize() * 16);
  char id[16];
  std::snprintf(id, sizeof id, "##q%zu", i);
  if (q.verdict[i] == 0) {
    input_string(id, q.input[i], ImGui::GetFontSize() * 6);
    return;
  }
  ImGui::TextUnformatted(q.input[i].c_str());
  ImGui::SameLine();
  if (q.verdict[i] > 0) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.priv), "right");
  else ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.dirty), "wrong: it is %s", qq.answer.c_str());
}

void bookmark_block(const View& v, UiState& ui, int bookmark, const Palette& pal) {
  QuizState& q = ui.quiz;
  int step = 0, line = 0;
  bool all_typed = true, checked = true;
  for (size_t i = 0; i < q.quiz.questions.size(); ++i) {
    const auto& qq = q.quiz.questions[i];
    if (qq.bookmark != bookmark) continue;
    step = qq.step;
    line = qq.line;
    double value;
    all_typed = all_typed && parse_number(q.input[i], &value);
    checked = checked && q.verdict[i] != 0;
  }
  ImGui::PushID(bookmark);
  ImGui::Separator();
  ImGui::Text("At bookmark %d (line %d, step %d)", bookmark, line, step);
  if (size_t(step) != v.position) {
    ImGui::SameLine();
    if (ImGui::SmallButton("go there")) ui.requests.push_back({Command::StepTo, step});
  }
  for (size_t i = 0; i < q.quiz.questions.size(); ++i)
    if (q.quiz.questions[i].bookmark == bookmark) question_row(q, i, pal);
  if (!checked) {
    ImGui::BeginDisabled(!all_typed);
    if (ImGui::Button("Check")) check_bookmark(q, bookmark);
    ImGui::EndDisabled();
    if (!all_typed) {
      ImGui::SameLine();
      ImGui::TextDisabled("type a number for each question");
    }
  }
  ImGui::PopID();
}

void start_controls(UiState& ui) {
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::InputInt("seed", &ui.quiz.next_seed);
  ImGui::SameLine();
  if (ImGui::Button(ui.quiz.active ? "New quiz" : "Start a quiz"))
    ui.requests.push_back({Command::Quiz, long(std::max(0, ui.quiz.next_seed))});
}

}  // namespace


void draw_quiz_tab(const View& v, UiState& ui) {
  const Palette& pal = palette(ui.options.dark);
  QuizState& q = ui.quiz;
  if (!q.active) {
    ImGui::TextWrapped("A quiz runs a generated scenario and asks for some numbers at its bookmarks. "
                       "Predict them; the playground hides its numbers until you check.");
    start_controls(ui);
    return;
  }
  int right = 0, checked = 0, bookmarks = 0;
  for (size_t i = 0; i < q.verdict.size(); ++i) {
    right += q.verdict[i] > 0;
    checked += q.verdict[i] != 0;
    bookmarks = std::max(bookmarks, q.quiz.questions[i].bookmark);
  }
  ImGui::Text("Quiz, seed %llu: %d of %d checked, %d right", (unsigned long long)q.quiz.seed, checked,
              int(q.verdict.size()), right);
  ImGui::SameLine();
  if (ImGui::SmallButton("leave the quiz")) ui.requests.push_back({Command::LeaveQuiz});
  ImGui::BeginChild("##quiz");
  for (int b = 1; b <= bookmarks; ++b) bookmark_block(v, ui, b, pal);
  ImGui::Separator();
  start_controls(ui);
  ImGui::EndChild();
}

}  // namespace cow::web
