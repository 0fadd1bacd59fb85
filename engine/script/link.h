// The playground link: a script and how to show it, as the URL fragment that web/index.html
// reads (docs/embedding.md). One encoder for everything that makes links: the web page's
// Share menu and `cowlab url` print the same bytes for the same script and options.
//   #z=<compressed script>&step=N&embed=1&readonly=1&theme=light|dark
// `z=` is the lz-string format (compressToEncodedURIComponent: an LZW variant over UTF-16
// code units, six bits per URL-safe character), which the page decodes with lz-string;
// `script=` (LinkEncoding::Plain) is base64url of the UTF-8 bytes, readable by any tool.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "ast.h"

namespace cow::script {

enum class LinkEncoding { Compressed, Plain };     // z= or script=
enum class LinkTheme { Visitor, Light, Dark };      // Visitor: no &theme= (prefers-color-scheme)

struct LinkOptions {
  LinkEncoding encoding = LinkEncoding::Compressed;
  long step = -1;         // &step=N, or -1 for none (the script runs to its end)
  long show = -1;         // &show=N: at the N-th `show` (from 1), or -1 for none
  bool embed = false;     // &embed=1
  bool readonly = false;  // &readonly=1
  LinkTheme theme = LinkTheme::Visitor;
};

// "#z=...&step=3&embed=1": the keys always in this order (script, step, show, embed,
// readonly, theme), so equal options give equal links.
std::string link_fragment(std::string_view script, const LinkOptions& options);

// The step of the n-th `show` statement (n from 1), or nothing when there are fewer. A
// link's &show=N goes there: unlike &step=, it still points at the same bookmark after
// `expect` lines (or any other statements but shows before it) are removed.
std::optional<size_t> show_step(const Script& script, long n);

// The HTML a course page pastes to embed the playground at `url` (an &embed=1 link).
std::string embed_code(std::string_view url);

// base64url of the bytes, without '=' padding (RFC 4648 section 5).
std::string base64url(std::string_view bytes);

// lz-string's compressToEncodedURIComponent of the UTF-8 text, read as UTF-16 code units
// as JavaScript strings are (a byte that is not valid UTF-8 reads as U+FFFD).
std::string lz_compress_uri(std::string_view utf8);

}  // namespace cow::script
