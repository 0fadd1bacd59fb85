// The playground link (engine/script/link.h): the z= compression must decode in the
// browser, whose decoder is lz-string's. Each expected z= value below was produced by
// lz-string 1.5 itself (node: LZString.compressToEncodedURIComponent(text)), not by
// this encoder.
#include <catch2/catch.hpp>

#include <string>

#include "engine/script/link.h"
#include "engine/script/parser.h"

using cow::script::LinkEncoding;
using cow::script::LinkOptions;
using cow::script::LinkTheme;

TEST_CASE("z= is lz-string's compressToEncodedURIComponent", "[link]") {
  using cow::script::lz_compress_uri;
  CHECK(lz_compress_uri("") == "Q");
  CHECK(lz_compress_uri("a") == "IZA");
  CHECK(lz_compress_uri("spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\nC1 write heap 0-1\n") ==
        "M4Bwhg7gdgBACgRgFCJgWzWEMAWBTLGADhQRggCcBLAFz1wJFJgDMB7CgaxgGFk-y1Og0IAGALTIgA");
  // Characters beyond Latin-1 (16-bit codes) and a surrogate pair, from UTF-8.
  CHECK(lz_compress_uri("# \xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80 \xc3\xbc\nspawn P1\n") ==
        "MQAglyhJhCi8G4AHsgD8CgDOAHAhgdwHYgAUBGZIA");
  // Long repetition: the code width grows past 8 bits.
  std::string ab;
  for (int i = 0; i < 300; ++i) ab += "ab";
  CHECK(lz_compress_uri(ab) == "IYI17SOrZ+6IcpqXrZj2u5-vQg4o0k8syi6q2m+uxhhoA");
  // A byte that is not UTF-8 reads as U+FFFD, as the browser's TextDecoder reads it.
  CHECK(lz_compress_uri("x\xffy") == "B6X-+J5A");
}

TEST_CASE("script= is base64url without padding (RFC 4648 test vectors)", "[link]") {
  using cow::script::base64url;
  CHECK(base64url("") == "");
  CHECK(base64url("f") == "Zg");
  CHECK(base64url("fo") == "Zm8");
  CHECK(base64url("foo") == "Zm9v");
  CHECK(base64url("foob") == "Zm9vYg");
  CHECK(base64url("fooba") == "Zm9vYmE");
  CHECK(base64url("\xfb\xff") == "-_8");  // '-' and '_' where base64 has '+' and '/'
}

TEST_CASE("the fragment's keys come in one order", "[link]") {
  using cow::script::link_fragment;
  CHECK(link_fragment("a", {}) == "#z=IZA");
  CHECK(link_fragment("a", {.encoding = LinkEncoding::Plain}) == "#script=YQ");
  LinkOptions all{.step = 3, .embed = true, .readonly = true, .theme = LinkTheme::Light};
  CHECK(link_fragment("a", all) == "#z=IZA&step=3&embed=1&readonly=1&theme=light");
  CHECK(link_fragment("a", {.step = 0, .theme = LinkTheme::Dark}) == "#z=IZA&step=0&theme=dark");
}

TEST_CASE("embed code is an iframe with the link escaped for an attribute", "[link]") {
  std::string code = cow::script::embed_code("https://x.example/#z=A&step=1&embed=1");
  CHECK(code ==
        "<iframe title=\"cowlab playground\" src=\"https://x.example/#z=A&amp;step=1&amp;embed=1\" "
        "width=\"100%\" height=\"520\" loading=\"lazy\" allow=\"clipboard-write\"></iframe>");
}

TEST_CASE("&show=N names the N-th show, whatever else is removed around it", "[link]") {
  using cow::script::parse;
  using cow::script::show_step;
  auto full = parse("spawn P1\nexpect P1 rss=0\nshow\nP1 mmap heap 4\nP1 write heap\nexpect P1 rss=4\nshow\n");
  auto handout = parse("spawn P1\nshow\nP1 mmap heap 4\nP1 write heap\nshow\n");
  REQUIRE_FALSE(full.error);
  REQUIRE_FALSE(handout.error);
  CHECK(show_step(full.script, 1) == size_t(3));
  CHECK(show_step(full.script, 2) == size_t(7));
  CHECK(show_step(handout.script, 2) == size_t(5));  // step 7 would be past the end
  CHECK_FALSE(show_step(full.script, 3));
  CHECK_FALSE(show_step(full.script, 0));
  LinkOptions o;
  o.encoding = LinkEncoding::Plain;
  o.show = 2;
  o.embed = true;
  CHECK(cow::script::link_fragment("show\n", o) == "#script=c2hvdwo&show=2&embed=1");
}
