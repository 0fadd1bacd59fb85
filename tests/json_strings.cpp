// JSON strings (engine/script/json.h): quotes, backslashes and control characters
// are escaped, everything else, UTF-8 included, passes byte for byte.
#include <catch2/catch.hpp>

#include <string>

#include "engine/script/json.h"

using cow::script::append_json_string;
using cow::script::json_string;

TEST_CASE("JSON strings escape quotes, backslashes and control characters", "[json_strings]") {
  CHECK(json_string("") == "\"\"");
  CHECK(json_string("P1 heap") == "\"P1 heap\"");
  CHECK(json_string("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(json_string("C:\\cow") == "\"C:\\\\cow\"");
  CHECK(json_string("a\nb\tc\r") == "\"a\\u000ab\\u0009c\\u000d\"");
  CHECK(json_string(std::string("\x00\x01\x1f", 3)) == "\"\\u0000\\u0001\\u001f\"");
  CHECK(json_string(" ~\x7f") == "\" ~\x7f\"");  // U+0020 and up, DEL included, pass
  CHECK(json_string("'single' / slash") == "\"'single' / slash\"");
}

TEST_CASE("JSON strings pass UTF-8 through unchanged", "[json_strings]") {
  const std::string utf8 = "ünïcödé → 🐄";  // 2-, 3- and 4-byte sequences
  CHECK(json_string(utf8) == "\"" + utf8 + "\"");
  std::string out = "[";
  append_json_string(out, utf8);
  out += ",";
  append_json_string(out, "\"");
  CHECK(out == "[\"" + utf8 + "\",\"\\\"\"");
}
