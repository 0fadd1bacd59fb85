#include "captions.h"

#include <algorithm>

#include "ast.h"
#include "lines.h"

namespace cow::script {

namespace {

constexpr std::string_view kBlanks = " \t\v\f";  // the lexer's blanks

std::string_view trim(std::string_view s) {
  size_t a = s.find_first_not_of(kBlanks);
  if (a == std::string_view::npos) return {};
  return s.substr(a, s.find_last_not_of(kBlanks) - a + 1);
}

enum class LineKind { Blank, Comment, Statement };

// One line, as the caption rules see it: its kind and its comment's text (without '#').
struct Classified {
  LineKind kind = LineKind::Blank;
  std::string_view comment;
};

Classified classify(std::string_view line) {
  size_t hash = line.find('#');
  std::string_view code = trim(line.substr(0, hash));
  std::string_view comment = hash == std::string_view::npos ? std::string_view{} : trim(line.substr(hash + 1));
  if (!code.empty()) return {LineKind::Statement, comment};
  return {hash == std::string_view::npos ? LineKind::Blank : LineKind::Comment, comment};
}

std::vector<Classified> classify_all(std::string_view text) {
  std::vector<Classified> out;
  LineSplitter splitter(text);
  for (RawLine line; splitter.next(&line);) out.push_back(classify(line.text));
  return out;
}

// Joins comment texts into paragraphs: an empty text (an empty comment line, or a blank
// line) ends the paragraph, the next non-empty one starts a new one.
class Paragraphs {
 public:
  void add(std::string_view s) {
    if (s.empty()) {
      pending_break_ = !out_.empty();
      return;
    }
    if (!out_.empty()) out_ += pending_break_ ? '\n' : ' ';
    pending_break_ = false;
    out_ += s;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  bool pending_break_ = false;
};

// First index of the run of comment lines that ends just before `index`.
size_t block_start(const std::vector<Classified>& lines, size_t index) {
  size_t first = index;
  while (first > 0 && lines[first - 1].kind == LineKind::Comment) --first;
  return first;
}

std::string caption_at(const std::vector<Classified>& lines, size_t index) {
  if (index >= lines.size() || lines[index].kind != LineKind::Statement) return {};
  Paragraphs p;
  for (size_t i = block_start(lines, index); i < index; ++i) p.add(lines[i].comment);
  std::string above = p.take();
  return above.empty() ? std::string(lines[index].comment) : above;
}

}  // namespace

std::string caption_for_line(std::string_view text, int line) {
  if (line < 1) return {};
  return caption_at(classify_all(text), size_t(line - 1));
}

std::vector<std::string> line_captions(std::string_view text) {
  std::vector<Classified> lines = classify_all(text);
  std::vector<std::string> out(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) out[i] = caption_at(lines, i);
  return out;
}

std::string step_caption(const std::vector<std::string>& captions, const Script& script, size_t position) {
  const auto& st = script.statements;
  auto caption_of = [&](size_t step) -> const std::string* {
    int line = st[step - 1].pos.line;
    return line >= 1 && size_t(line) <= captions.size() ? &captions[size_t(line) - 1] : nullptr;
  };
  if (position == 0) {
    const std::string* c = st.empty() ? nullptr : caption_of(1);
    return c && !c->empty() ? "Next: " + *c : "";
  }
  for (size_t step = std::min(position, st.size()); step >= 1; --step)
    if (const std::string* c = caption_of(step); c && !c->empty()) return *c;
  return "";
}

std::string about_text(std::string_view text) {
  std::vector<Classified> lines = classify_all(text);
  size_t first = 0;
  while (first < lines.size() && lines[first].kind != LineKind::Statement) ++first;
  size_t end = first;
  if (first < lines.size()) {
    size_t own = block_start(lines, first);  // the first statement's caption block
    for (size_t i = 0; i + 1 < own; ++i)
      if (lines[i].kind == LineKind::Comment) end = own;
  }
  Paragraphs p;
  for (size_t i = 0; i < end; ++i) p.add(lines[i].kind == LineKind::Comment ? lines[i].comment : std::string_view{});
  return p.take();
}

}  // namespace cow::script
