// Captions (engine/script/captions.h): the comments a student reads while stepping
// through a script, and the "about" text of its top comment block.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/script/captions.h"

using namespace cow::script;

TEST_CASE("caption: the comment on the statement's own line", "[captions]") {
  const std::string s = "spawn P1\nP1 mmap heap 8    #  8 pages, anonymous  \nP1 write heap\n";
  CHECK(caption_for_line(s, 2) == "8 pages, anonymous");
  CHECK(caption_for_line(s, 1) == "");   // no comment: no caption
  CHECK(caption_for_line(s, 3) == "");   // the comment one line up is on a statement
}

TEST_CASE("caption: the comment block just above, joined into one paragraph", "[captions]") {
  const std::string s =
      "spawn P1\n"
      "# The child writes 4 pages:\n"
      "#   4 COW copies, Private_Dirty grows by 4.\n"
      "C1 write heap 0-3   # a terse note for the code\n";
  // The block above wins over the comment on the line.
  CHECK(caption_for_line(s, 4) == "The child writes 4 pages: 4 COW copies, Private_Dirty grows by 4.");
  CHECK(caption_for_line(s, 2) == "");  // a comment line is no statement
  CHECK(caption_for_line(s, 3) == "");
}

TEST_CASE("caption: a blank line separates a block from the statement", "[captions]") {
  const std::string s = "# about the script\n\nspawn P1\n# first\n\n# second\nP1 mmap heap 8\n";
  CHECK(caption_for_line(s, 3) == "");        // the top block is set apart
  CHECK(caption_for_line(s, 7) == "second");  // only the block touching the statement
  // A blank-looking line of tabs and spaces separates too.
  CHECK(caption_for_line("# a\n \t \nspawn P1", 3) == "");
}

TEST_CASE("caption: an empty comment line starts a new paragraph", "[captions]") {
  CHECK(caption_for_line("# one\n# two\n#\n# three\nspawn P1", 5) == "one two\nthree");
  CHECK(caption_for_line("#\n#\nspawn P1 #", 3) == "");  // only empty comments
  CHECK(caption_for_line("#\nspawn P1 # on the line", 2) == "on the line");
}

TEST_CASE("caption: CR, CRLF and a byte-order mark", "[captions]") {
  CHECK(caption_for_line("# forks\r\nP1 fork C1\r\n", 2) == "forks");
  CHECK(caption_for_line("# forks\rP1 fork C1\r", 2) == "forks");
  CHECK(caption_for_line("\xEF\xBB\xBF# forks\nP1 fork C1", 2) == "forks");
  CHECK(caption_for_line("spawn P1\r\r# a\r\nP1 fork C1  # b\r", 4) == "a");
  CHECK(caption_for_line("spawn P1\r\n\r\nP1 fork C1  # b\r\n", 3) == "b");
}

TEST_CASE("caption: first and last lines, and lines that do not exist", "[captions]") {
  CHECK(caption_for_line("spawn P1  # first", 1) == "first");
  CHECK(caption_for_line("spawn P1\n# last one\nP1 exit # bye", 3) == "last one");
  CHECK(caption_for_line("spawn P1\nP1 exit # bye\n", 2) == "bye");
  CHECK(caption_for_line("spawn P1 # a", 0) == "");
  CHECK(caption_for_line("spawn P1 # a", 2) == "");
  CHECK(caption_for_line("spawn P1 # a", -3) == "");
  CHECK(caption_for_line("", 1) == "");
}

TEST_CASE("line_captions: caption_for_line of every line", "[captions]") {
  const std::string s = "# top\n\n# make it\nspawn P1\nP1 mmap heap 8 # map\n\n";
  const std::vector<std::string> want = {"", "", "", "make it", "map", ""};
  CHECK(line_captions(s) == want);
  for (size_t i = 0; i < want.size(); ++i) CHECK(caption_for_line(s, int(i + 1)) == want[i]);
}

TEST_CASE("about: the top comment block, in paragraphs", "[captions]") {
  const std::string s =
      "# Basic copy-on-write fork\n"
      "#\n"
      "# fork copies no data:\n"
      "# parent and child share frames.\n"
      "\n"
      "# One process maps 8 pages.\n"
      "spawn P1\n"
      "# not the top block\n"
      "P1 mmap heap 8\n";
  CHECK(about_text(s) == "Basic copy-on-write fork\nfork copies no data: parent and child share frames.");
}

TEST_CASE("about: blank lines between top blocks make paragraphs", "[captions]") {
  CHECK(about_text("# a\n\n\n# b\n\n# c\nspawn P1") == "a\nb");     // "c" is spawn's caption
  CHECK(about_text("\n# a\n\nspawn P1") == "a");                     // a leading blank line
  CHECK(about_text("# a\r\n# b\r\n\r\nspawn P1\r\n") == "a b");
}

TEST_CASE("about: a single block touching the first statement is the about text too", "[captions]") {
  const std::string s = "# The one block\n# of this script\nspawn P1\n";
  CHECK(about_text(s) == "The one block of this script");
  CHECK(caption_for_line(s, 3) == "The one block of this script");
}

TEST_CASE("about: none when the script starts with a statement", "[captions]") {
  CHECK(about_text("spawn P1  # a comment on a statement\n# later\nP1 exit") == "");
  CHECK(about_text("") == "");
  CHECK(about_text("# only comments\n# and no statement\n") == "only comments and no statement");
}
