// Lines of script text. A line ends at "\n", "\r\n" or a lone "\r" (old Mac files), and a
// UTF-8 byte-order mark at the very start belongs to no line. The lexer, the web page and
// the shell all split scripts here, so that line N of a message is the line N a reader
// sees, whatever the line ends.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace cow::script {

// One raw line of the script, without its line end.
struct RawLine {
  std::string_view text;
  int number = 0;  // from 1
};

// Hands out the raw lines of a script in order. A final line end starts no further line.
class LineSplitter {
 public:
  explicit LineSplitter(std::string_view text);
  bool next(RawLine* out);

 private:
  std::string_view text_;
  size_t at_ = 0;
  int number_ = 0;
};

// Every line of `text` (index = line number - 1), as views into `text`.
std::vector<std::string_view> split_lines(std::string_view text);

// Line `number` (from 1) of `text`, or "" when there is no such line.
std::string_view line_at(std::string_view text, int number);

// `text` with every line end "\n" and no byte-order mark: the same lines, for editors and
// tools that break lines at "\n" only (Dear ImGui's text editor).
std::string with_lf_line_ends(std::string_view text);

}  // namespace cow::script
