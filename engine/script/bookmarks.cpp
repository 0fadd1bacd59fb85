#include "bookmarks.h"

namespace cow::script {

size_t show_count(const Script& script) {
  size_t n = 0;
  for (const Statement& s : script.statements) n += s.verb == Verb::Show;
  return n;
}

std::optional<size_t> show_step(const Script& script, size_t n) {
  for (size_t i = 0; i < script.statements.size() && n > 0; ++i)
    if (script.statements[i].verb == Verb::Show && --n == 0) return i + 1;
  return std::nullopt;
}

}  // namespace cow::script
