// Captions: the script's own comments, read as a guided tour. A statement's caption is
// the comment block just above it, or else the comment on its own line; the script's
// "about" text is its top comment block. The web page shows them as a student steps through an
// example; any driver can, since they need only the script text.
//
// A comment runs from '#' to the end of its line (as the lexer reads it). A comment line
// holds nothing but a comment; a blank line holds only blanks. Comment text loses its '#'
// and surrounding blanks; the lines of one paragraph are joined with a space, and an empty
// comment line ("#") or a blank line starts a new paragraph ("\n" between paragraphs).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace cow::script {

// The caption of the statement on line `line` (from 1): the comment lines directly above
// it (up to a blank line or another statement), written for the reader who steps; when
// there are none, the comment after the statement on its own line (often a terse note
// for the reader of the code). "" when there is neither, or when `line` is blank, a
// comment line, or past the end.
std::string caption_for_line(std::string_view text, int line);

// caption_for_line() of every line of `text` (index = line number - 1), in one pass.
std::vector<std::string> line_captions(std::string_view text);

struct Script;
// The caption shown at `position` (statements run): that of the latest statement up to it
// that has one; at 0, that of the first statement, as "Next: ...". "" when none.
// `captions`: line_captions() of the script's text. The web page's step bar and figures.
std::string step_caption(const std::vector<std::string>& captions, const Script& script, size_t position);

// The script's top comment block: the comments before its first statement. When the
// first statement has a caption block of its own, set apart by a blank line from earlier
// comments, that block is left to the statement. "" when the script starts with a
// statement.
std::string about_text(std::string_view text);

}  // namespace cow::script
