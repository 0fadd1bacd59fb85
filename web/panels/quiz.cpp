// The quiz tab, predict-then-reveal: the scenario of `cowlab quiz --seed N` (Seeded) or
// the loaded script with the `expect` lines after each `show` as questions (Predict, as
// `cowlab quiz --from` asks them). The numbers stay veiled (draw_veil, veils_number)
// until the student has typed a prediction for each question of a bookmark and pressed
// Reveal; then right or wrong shows, with the answer.
#include <cstdio>
#include <set>

#include "panels.h"

namespace cow::web {

namespace {

bool at_bookmark(const script::QuizQuestion& qq, size_t b) { return size_t(qq.bookmark) == b + 1; }

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
      out += (out.empty() ? "" : " + ") + r.name + " " +
             script::format_metric(m, script::metric_value(m, e.region_usage(p, name)));
    }
  }
  return out.empty() ? "-" : out;
}

// A wrong answer's parts, computed once at the question's step ("go to step N" elsewhere).
void draw_breakdown(const View& v, QuizState& q, size_t i) {
  const script::QuizQuestion& qq = q.quiz.questions[i];
  std::string& parts = q.breakdown[i];
  if (parts.empty() && !v.busy && v.position == size_t(qq.step)) parts = region_breakdown(v, qq);
  if (parts.empty()) {
    ImGui::TextDisabled("    go to step %d to see what it sums", qq.step);
  } else if (parts != "-") {
    ImGui::Indent();
    ImGui::TextWrapped("= %s", parts.c_str());
    ImGui::Unindent();
  }
}

// One question: its input until revealed, then the verdict (a wrong one with what the
// number sums). True when Enter was pressed in its input (Enter reveals the bookmark once
// every question has a prediction).
bool question_row(const View& v, UiState& ui, size_t i, const Palette& pal) {
  QuizState& q = ui.quiz;
  const script::QuizQuestion& qq = q.quiz.questions[i];
  ImGui::Text("Q%d  %s", qq.number, qq.label().c_str());
  ImGui::SameLine(ImGui::GetFontSize() * 16);
  char id[32];
  std::snprintf(id, sizeof id, "##q%zu", i);
  if (q.verdict[i] == 0) {
    bool enter = input_string(id, q.input[i], ImGui::GetFontSize() * 6, ImGuiInputTextFlags_EnterReturnsTrue);
    char rect_id[32];  // widget_rect id of question i's input
    std::snprintf(rect_id, sizeof rect_id, "answer:%zu", i);
    record_rect(ui, rect_id);
    return enter;
  }
  ImGui::TextUnformatted(q.input[i].c_str());
  ImGui::SameLine();
  if (q.verdict[i] > 0) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.priv), "right");
    return false;
  }
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.dirty), "wrong: it is %s", qq.answer.c_str());
  draw_breakdown(v, q, i);
  return false;
}

// Right and wrong of a revealed bookmark, in one line.
void bookmark_score(const QuizState& q, size_t b) {
  int right = 0, asked = 0;
  for (size_t i = 0; i < q.quiz.questions.size(); ++i)
    if (at_bookmark(q.quiz.questions[i], b)) ++asked, right += q.verdict[i] > 0;
  if (asked > 0) ImGui::TextDisabled("%d of %d right", right, asked);
}

void bookmark_block(const View& v, UiState& ui, size_t b, const Palette& pal) {
  QuizState& q = ui.quiz;
  bool all_typed = true;
  int asked = 0;
  for (size_t i = 0; i < q.quiz.questions.size(); ++i) {
    if (!at_bookmark(q.quiz.questions[i], b)) continue;
    ++asked;
    all_typed = all_typed && script::is_prediction(q.quiz.questions[i], q.input[i]);
  }
  ImGui::PushID(int(b));
  ImGui::Separator();
  ImGui::Text("At bookmark %zu (line %d, step %zu)", b + 1, q.bookmark_lines[b], q.bookmarks[b]);
  if (q.bookmarks[b] != v.position) {
    ImGui::SameLine();
    if (ImGui::SmallButton("go there")) ui.requests.push_back({Command::StepTo, long(q.bookmarks[b])});
  }
  bool enter = false;
  for (size_t i = 0; i < q.quiz.questions.size(); ++i)
    if (at_bookmark(q.quiz.questions[i], b)) enter = question_row(v, ui, i, pal) || enter;
  if (q.revealed[b]) {
    bookmark_score(q, b);
  } else if (q.asked[b]) {
    if (asked == 0) ImGui::TextDisabled("No `expect` follows this `show`: nothing to predict here.");
    ImGui::BeginDisabled(!all_typed);
    if (ImGui::Button("Reveal") || (enter && all_typed)) ui.requests.push_back({Command::Reveal, long(b)});
    record_rect(ui, "reveal");
    ImGui::EndDisabled();
    if (!all_typed) {
      ImGui::SameLine();
      ImGui::TextDisabled("type a prediction for each question");
    }
  }
  ImGui::PopID();
}

void start_controls(UiState& ui) {
  // The question family: page sharing after fork, or the commit charge (`cowlab quiz --commit`).
  script::QuizTopic& topic = ui.quiz.next_topic;
  if (ImGui::RadioButton("page sharing", topic == script::QuizTopic::Cow)) topic = script::QuizTopic::Cow;
  ImGui::SameLine();
  if (ImGui::RadioButton("commit charge", topic == script::QuizTopic::Commit)) topic = script::QuizTopic::Commit;
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Committed_AS and CommitLimit under an overcommit mode: what mmap, mprotect and fork charge,\n"
                      "and the fork that strict overcommit refuses although copy-on-write copies nothing");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  ImGui::InputScalar("seed", ImGuiDataType_U64, &ui.quiz.next_seed);
  ImGui::SameLine();
  if (ImGui::Button(ui.quiz.active && ui.quiz.kind == QuizKind::Seeded ? "New quiz" : "Start a quiz"))
    ui.requests.push_back({Command::Quiz, 0, "", ui.quiz.next_seed});
}

}  // namespace

void set_bookmarks(QuizState& q, const script::Script& s) {
  q.bookmarks.clear();
  q.bookmark_lines.clear();
  for (const script::Statement& st : s.statements) {
    if (st.verb != script::Verb::Show) continue;
    q.bookmarks.push_back(size_t(st.step));
    q.bookmark_lines.push_back(st.pos.line);
  }
  q.revealed.assign(q.bookmarks.size(), false);
  q.asked.assign(q.bookmarks.size(), q.kind == QuizKind::Seeded);  // a generated quiz comes asked
}

void ask_bookmark(QuizState& q, const script::Session& s, size_t b) {
  if (b >= q.bookmarks.size() || q.asked[b]) return;
  q.asked[b] = true;
  const auto& statements = s.script().statements;
  // Statement k (0-based) is step k + 1: the show's own index is its step - 1.
  for (size_t k = q.bookmarks[b]; k < statements.size() && statements[k].verb == script::Verb::Expect; ++k) {
    for (script::QuizQuestion& qq : script::expect_questions(s, statements[k], int(q.quiz.questions.size()) + 1)) {
      qq.bookmark = int(b + 1);
      qq.step = int(q.bookmarks[b]);
      q.quiz.questions.push_back(std::move(qq));
      q.input.emplace_back();
      q.verdict.push_back(0);
      q.breakdown.emplace_back();
    }
  }
}

void reveal_bookmark(QuizState& q, size_t b) {
  if (b >= q.bookmarks.size() || !q.asked[b]) return;
  for (size_t i = 0; i < q.quiz.questions.size(); ++i) {
    const auto& qq = q.quiz.questions[i];
    if (at_bookmark(qq, b)) q.verdict[i] = script::prediction_right(qq, q.input[i]) ? 1 : -1;
  }
  q.revealed[b] = true;
}

bool veils_number(const UiState& ui, uint64_t now, uint64_t at_bookmark) {
  return ui.quiz.veiled && (!ui.quiz.veil_ref.valid || now != at_bookmark);
}

void draw_quiz_tab(const View& v, UiState& ui) {
  const Palette& pal = palette(ui.options.dark);
  QuizState& q = ui.quiz;
  if (!q.active) {
    ImGui::TextWrapped("A quiz runs a generated scenario and asks for some numbers at its bookmarks. "
                       "Predict them; the playground hides its numbers until you reveal them.");
    start_controls(ui);
    return;
  }
  int right = 0, checked = 0;
  for (int verdict : q.verdict) right += verdict > 0, checked += verdict != 0;
  if (q.kind == QuizKind::Seeded)
    ImGui::Text("Quiz, seed %llu: %d of %d checked, %d right", (unsigned long long)q.quiz.seed, checked,
                int(q.verdict.size()), right);
  else
    ImGui::Text("Predict, then reveal: %d of %d checked, %d right", checked, int(q.verdict.size()), right);
  ImGui::SameLine();
  if (ImGui::SmallButton(q.kind == QuizKind::Seeded ? "leave the quiz" : "stop predicting"))
    ui.requests.push_back({q.kind == QuizKind::Seeded ? Command::LeaveQuiz : Command::Predict});
  ImGui::BeginChild("##quiz");
  if (q.bookmarks.empty()) ImGui::TextWrapped("This script has no `show` bookmark to predict at.");
  // The bookmarks up to the first one not revealed: later ones would give it away.
  for (size_t b = 0; b < q.bookmarks.size(); ++b) {
    bookmark_block(v, ui, b, pal);
    if (!q.revealed[b]) break;
  }
  ImGui::Separator();
  start_controls(ui);
  ImGui::EndChild();
}

}  // namespace cow::web
