// The quiz tab: the scenario of `cowlab quiz --seed N` runs to its first
// bookmark; the numbers stay veiled (draw_veil) until the student has typed a prediction
// for each question there and pressed Check (or Enter); then right or wrong shows, with
// the answer, and for a wrong answer to a process's number the regions it sums.
#include <cstdio>
#include <cstdlib>
#include <set>

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

// As `expect` compares: Pss to within 0.01 page, the rest exactly (metric_matches).
bool right_answer(const script::QuizQuestion& q, double value) {
  return script::metric_matches(*q.metric, value, std::strtod(q.answer.c_str(), nullptr));
}

void check_bookmark(QuizState& q, int bookmark) {
  for (size_t i = 0; i < q.quiz.questions.size(); ++i) {
    const auto& qq = q.quiz.questions[i];
    double value;
    if (qq.bookmark == bookmark && parse_number(q.input[i], &value)) q.verdict[i] = right_answer(qq, value) ? 1 : -1;
  }
}

// What a process's number sums, region by region, at the current position:
// "heap 20 + stack 4 + lib 8.6667". "-" when the question is no such sum.
std::string region_breakdown(const View& v, const script::QuizQuestion& qq) {
  const script::Metric& m = *qq.metric;
  if (qq.process.empty() || !qq.region.empty() || m.source != script::MetricSource::Usage ||
      !m.in(script::MetricScope::Region) || v.session == nullptr)
    return "-";
  const Engine& e = v.session->engine();
  ProcId p = e.find_process(qq.process);
  std::string out;
  std::set<std::string> seen;
  for (const ProcRow& row : v.procs) {
    if (row.id != p || row.mm >= v.mms.size()) continue;
    for (const RegionMap& r : v.mms[row.mm].regions) {
      NameId name = e.find_name(r.name);
      if (!seen.insert(r.name).second || name == kNone) continue;
      out += (out.empty() ? "" : " + ") + r.name + " " + script::format_metric(m, script::metric_value(m, e.region_usage(p, name)));
    }
  }
  return out.empty() ? "-" : out;
}

// One question: its input until checked (Enter checks the bookmark), then the verdict.
// True when Enter was pressed in its input.
bool question_row(const View& v, QuizState& q, size_t i, const Palette& pal) {
  const script::QuizQuestion& qq = q.quiz.questions[i];
  ImGui::Text("Q%d  %s", qq.number, qq.label().c_str());
  ImGui::SameLine(ImGui::GetFontSize() * 16);
  char id[32];
  std::snprintf(id, sizeof id, "##q%zu", i);
  if (q.verdict[i] == 0)
    return input_string(id, q.input[i], ImGui::GetFontSize() * 6, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::TextUnformatted(q.input[i].c_str());
  ImGui::SameLine();
  if (q.verdict[i] > 0) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.priv), "right");
    return false;
  }
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.dirty), "wrong: it is %s", qq.answer.c_str());
  std::string& parts = q.breakdown[i];
  if (parts.empty() && !v.busy && v.position == size_t(qq.step)) parts = region_breakdown(v, qq);
  if (parts.empty()) ImGui::TextDisabled("    go to step %d to see what it sums", qq.step);
  else if (parts != "-") {
    ImGui::Indent();
    ImGui::TextWrapped("= %s", parts.c_str());
    ImGui::Unindent();
  }
  return false;
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
  bool enter = false;
  for (size_t i = 0; i < q.quiz.questions.size(); ++i)
    if (q.quiz.questions[i].bookmark == bookmark) enter = question_row(v, q, i, pal) || enter;
  if (!checked) {
    ImGui::BeginDisabled(!all_typed);
    if (ImGui::Button("Check") || (enter && all_typed)) check_bookmark(q, bookmark);
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
