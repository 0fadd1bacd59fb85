#include "lines.h"

namespace cow::script {

LineSplitter::LineSplitter(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") at_ = 3;
}

bool LineSplitter::next(RawLine* out) {
  if (at_ >= text_.size()) return false;
  size_t end = at_;
  while (end < text_.size() && text_[end] != '\n' && text_[end] != '\r') ++end;
  out->text = text_.substr(at_, end - at_);
  out->number = ++number_;
  at_ = end;
  if (at_ < text_.size()) {
    const bool crlf = text_[at_] == '\r' && at_ + 1 < text_.size() && text_[at_ + 1] == '\n';
    at_ += crlf ? 2 : 1;
  }
  return true;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  LineSplitter splitter(text);
  for (RawLine line; splitter.next(&line);) lines.push_back(line.text);
  return lines;
}

std::string_view line_at(std::string_view text, int number) {
  LineSplitter splitter(text);
  for (RawLine line; splitter.next(&line);)
    if (line.number == number) return line.text;
  return {};
}

std::string with_lf_line_ends(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  LineSplitter splitter(text);
  bool first = true;
  for (RawLine line; splitter.next(&line); first = false) {
    if (!first) out += '\n';
    out += line.text;
  }
  if (!text.empty() && (text.back() == '\n' || text.back() == '\r') && !first) out += '\n';
  return out;
}

}  // namespace cow::script
