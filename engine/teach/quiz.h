// Quizzes in the style of OSTEP's simulators: a seed generates a fresh, meaningful
// copy-on-write scenario (the same seed always gives the same one, on every platform),
// the student predicts chosen metrics at chosen points, and the answers come from
// running the engine. `cowlab quiz --seed N` and the web page's `&quiz=N` both call this.
//
// Two kinds:
//   forward  the scenario with a `show` bookmark at each question point; predict the
//            asked metrics there;
//   reverse  a base that ran as shown, then candidate statements of which some ran: from
//            the final counts, say which.
// Pure: no I/O. The random numbers come from splitmix64 and integer arithmetic only
// (never std:: distributions, whose output differs between standard libraries).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/script/metrics.h"

namespace cow::script {

// splitmix64 (Steele, Lea, Flood 2014): 64 bits of state, same sequence everywhere.
class QuizRng {
 public:
  explicit QuizRng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  uint32_t below(uint32_t n);           // 0 .. n-1 (n > 0)
  bool chance(uint32_t percent);        // true with probability percent/100
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(uint32_t(v.size()))]; }

 private:
  uint64_t state_;
};

struct QuizQuestion {
  int number = 0;            // 1-based, over the whole quiz
  int bookmark = 0;          // 1-based index of the `show` it is asked at
  int step = 0;              // that `show` statement's step in `script`
  int line = 0;              // and its line
  std::string process;       // "" for a system metric
  std::string region;        // "" unless one region of the process is asked
  const Metric* metric = nullptr;  // its row in the metric table: pss, uss, frames_used, ...
  std::string answer;        // as an expect value: "40", "32.5", "2.6667"
  std::string label() const; // "C1 pss", "frames_used", "C1 heap private_dirty"
  std::string expect() const;  // "expect C1 pss=40"
};

struct Quiz {
  uint64_t seed = 0;
  std::string script;          // the scenario; each bookmark is `show  # Q1: ... Q2: ...`
  std::string answer_script;   // the same with each question's `expect` after its show
  std::vector<QuizQuestion> questions;
};

// What a forward quiz asks about: page sharing after fork (Rss, Pss, copies), or the
// commit charge (Committed_AS and CommitLimit under an overcommit mode, refused forks).
enum class QuizTopic : uint8_t { Cow, Commit };

// A forward quiz for `seed`. The answers are computed by running `script` in a Session.
Quiz make_quiz(uint64_t seed, QuizTopic topic = QuizTopic::Cow);

struct ReverseQuiz {
  uint64_t seed = 0;
  std::string base;                      // statements that ran as shown (cowscript)
  std::vector<std::string> candidates;   // listed as A, B, C, ...; run in this order
  std::vector<bool> ran;                 // the answer: which candidates ran
  std::vector<std::string> final_counts; // "frames_used=96 cow_copies=32 ...", "P1 rss=64 ..."
  std::string text;                      // the question, as comments after `base`
  std::string answer;                    // "A, C"
  std::string answer_script;             // base + the candidates that ran + expects of the counts
};

// A reverse quiz for `seed`. The final counts determine the answer uniquely: every other
// subset of the candidates gives different counts.
ReverseQuiz make_reverse_quiz(uint64_t seed);

}  // namespace cow::script
