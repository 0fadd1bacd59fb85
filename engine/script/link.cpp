#include "engine/script/link.h"

#include <cstdint>
#include <unordered_map>
#include <unordered_set>

namespace cow::script {
namespace {

// UTF-8 to UTF-16 code units; each byte of an invalid sequence becomes U+FFFD.
std::u16string utf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto b = [&](size_t k) { return uint8_t(s[k]); };
    uint8_t c = b(i);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      ok = (b(i + k) & 0xc0) == 0x80;
      cp = (cp << 6) | (b(i + k) & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    ok = ok && cp >= kMin[len] && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
    if (!ok) {
      out += char16_t(0xfffd);
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      out += char16_t(0xd800 + ((cp - 0x10000) >> 10));
      out += char16_t(0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else {
      out += char16_t(cp);
    }
    i += size_t(len);
  }
  return out;
}

// The bit stream of lz-string: values written least significant bit first, packed six
// bits to a character of its URL-safe alphabet, most significant bit first.
class SixBitWriter {
 public:
  void put(uint32_t value, int bits) {
    for (int i = 0; i < bits; ++i, value >>= 1) {
      acc_ = (acc_ << 1) | (value & 1);
      if (++n_ == 6) flush_char();
    }
  }
  std::string finish() {
    while (n_ != 0) put(0, 1);
    return std::move(out_);
  }

 private:
  void flush_char() {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";
    out_ += kAlphabet[acc_];
    acc_ = 0;
    n_ = 0;
  }
  std::string out_;
  uint32_t acc_ = 0;
  int n_ = 0;
};

// LZW with a growing code width: codes 0 and 1 announce a new 8- or 16-bit character,
// 2 ends the stream, 3 onwards are dictionary entries.
class LzEncoder {
 public:
  std::string encode(const std::u16string& text) {
    std::u16string w;
    for (char16_t c : text) {
      std::u16string one(1, c);
      if (!dict_.count(one)) {
        dict_[one] = next_code_++;
        fresh_.insert(one);
      }
      std::u16string wc = w + c;
      if (dict_.count(wc)) {
        w = std::move(wc);
        continue;
      }
      emit(w);
      dict_[wc] = next_code_++;
      w = std::move(one);
    }
    if (!w.empty()) emit(w);
    out_.put(2, bits_);
    // The stream ends with at least one more bit (lz-string's final flush).
    out_.put(0, 1);
    return out_.finish();
  }

 private:
  void emit(const std::u16string& w) {
    if (fresh_.erase(w)) {
      bool wide = w[0] >= 256;
      out_.put(wide ? 1 : 0, bits_);
      out_.put(w[0], wide ? 16 : 8);
      count_code();
    } else {
      out_.put(dict_.at(w), bits_);
    }
    count_code();
  }
  // After every 2^bits codes the width grows by one bit.
  void count_code() {
    if (--enlarge_in_ == 0) {
      enlarge_in_ = uint32_t(1) << bits_;
      ++bits_;
    }
  }

  std::unordered_map<std::u16string, uint32_t> dict_;
  std::unordered_set<std::u16string> fresh_;  // single characters not yet written
  uint32_t next_code_ = 3;
  uint32_t enlarge_in_ = 2;
  int bits_ = 2;
  SixBitWriter out_;
};

}  // namespace

std::string base64url(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) out += kAlphabet[(acc >> (bits -= 6)) & 63];
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

std::string lz_compress_uri(std::string_view utf8) { return LzEncoder().encode(utf16(utf8)); }

std::string link_fragment(std::string_view script, const LinkOptions& o) {
  std::string f = o.encoding == LinkEncoding::Plain ? "#script=" + base64url(script) : "#z=" + lz_compress_uri(script);
  if (o.step >= 0) f += "&step=" + std::to_string(o.step);
  if (o.show >= 1) f += "&show=" + std::to_string(o.show);
  if (o.embed) f += "&embed=1";
  if (o.readonly) f += "&readonly=1";
  if (o.theme != LinkTheme::Visitor) f += o.theme == LinkTheme::Light ? "&theme=light" : "&theme=dark";
  return f;
}

std::string embed_code(std::string_view url) {
  std::string escaped;
  for (char c : url) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '"': escaped += "&quot;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      default: escaped += c;
    }
  }
  return "<iframe title=\"cowlab playground\" src=\"" + escaped +
         "\" width=\"100%\" height=\"520\" loading=\"lazy\" allow=\"clipboard-write\"></iframe>";
}

std::optional<size_t> show_step(const Script& script, long n) {
  long seen = 0;
  for (const Statement& st : script.statements)
    if (st.verb == Verb::Show && ++seen == n) return size_t(st.step);
  return std::nullopt;
}

}  // namespace cow::script
