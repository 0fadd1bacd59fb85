// Text for the page's screen-reader mirrors and for the embedding page, made from the View
// (what the panels draw), so that it says what the screen shows:
//   - the step announcement of #cowlab-state: the headline ("step N of M: ..."), the
//     statement just run, and which numbers moved since the step announced before;
//   - the processes table (processes.cpp) as JSON, which web/cowlab-mirror.js turns into a
//     visually hidden HTML table;
//   - the quiz's progress, for the cowlab:quiz message (docs/embedding.md).
// While a quiz veils the numbers, none of them is given away here either.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace cow::web {

struct View;
struct QuizState;

// What the last announcement was about: the numbers "changed" compares with.
struct AnnounceMemory {
  uint64_t generation = UINT64_MAX;
  size_t position = SIZE_MAX;
  std::vector<uint64_t> values, before;  // kAnnounced's numbers: now, and at the step before
  bool has_before = false;
};

// `headline` (App::headline_text) followed by ". Ran: <statement>" and ". Changed: frames
// used 64 to 80, COW copies 0 to 16" (what moved since the previously announced step, of
// this script or of the one before a reload; "no count moved" when nothing did). The
// same position gives the same text, however often it is asked for.
std::string step_announcement(const View& v, bool veiled, const std::string& headline, AnnounceMemory& m);

// {"caption": "...", "columns": ["process", "state", "Rss", ...], "rows": [["P1", "running",
// "64 (+16)", ...], ...]}: the processes panel's cells as text; no rows while veiled.
std::string processes_table_json(const View& v, bool veiled);

// {"seed": N, "answered": A, "correct": C} once a quiz question was checked and whenever
// that changes; "" when there is nothing new to report (remembered in `sent`).
std::string quiz_report(const QuizState& q, std::string& sent);

}  // namespace cow::web
