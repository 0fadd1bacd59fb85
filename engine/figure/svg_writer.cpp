#include "svg_writer.h"

#include <cmath>
#include <cstdio>

namespace cow::figure {

namespace {

// Length of the UTF-8 sequence starting at s[i] (2..4), or 0 when it is not one.
size_t utf8_length(std::string_view s, size_t i) {
  auto c = uint8_t(s[i]);
  size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((uint8_t(s[i + k]) & 0xc0) != 0x80) return 0;
  return n;
}

}  // namespace

std::string xml_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = uint8_t(s[i]);
    if (c >= 0x80) {
      size_t n = utf8_length(s, i);
      if (n == 0) out += "\xef\xbf\xbd";  // U+FFFD
      else out.append(s.substr(i, n));
      i += n == 0 ? 1 : n;
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\t') out += "\xef\xbf\xbd";
        else out += char(c);
    }
    ++i;
  }
  return out;
}

std::string hex(Rgba c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  return buf;
}

std::string num(double v) {
  double r = std::round(v * 10) / 10;
  char buf[32];
  if (r == std::floor(r)) std::snprintf(buf, sizeof buf, "%.0f", r);
  else std::snprintf(buf, sizeof buf, "%.1f", r);
  return buf;
}

double text_width(std::string_view text, double size) {
  double em = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = uint8_t(text[i]);
    if ((c & 0xc0) == 0x80) continue;  // a UTF-8 continuation byte: counted with its lead
    em += c == ' ' || c == '.' || c == ',' || c == ':' || c == 'i' || c == 'l' ? 0.32
          : c >= 'A' && c <= 'Z'                                             ? 0.72
                                                                             : 0.62;
  }
  return em * size;
}

std::string fit_text(std::string_view text, double size, double width) {
  if (text_width(text, size) <= width) return std::string(text);
  std::string out;
  double budget = width - text_width("...", size), used = 0;
  for (size_t i = 0; i < text.size();) {
    size_t end = i + 1;
    while (end < text.size() && (uint8_t(text[end]) & 0xc0) == 0x80) ++end;
    used += text_width(text.substr(i, end - i), size);
    if (used > budget) break;
    out.append(text.substr(i, end - i));
    i = end;
  }
  return out + "...";
}

void Svg::rect(double x, double y, double w, double h, std::string_view fill, std::string_view extra) {
  out += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
         "\" fill=\"";
  out += fill;
  out += '"';
  if (!extra.empty()) (out += ' ') += extra;
  out += "/>\n";
}

void Svg::text(double x, double y, std::string_view s, const TextStyle& st) {
  out += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"" + num(st.size) + "\" fill=\"" +
         hex(st.color) + '"';
  if (st.anchor != Anchor::Start) out += st.anchor == Anchor::Middle ? " text-anchor=\"middle\"" : " text-anchor=\"end\"";
  if (st.weight == Weight::Bold) out += " font-weight=\"bold\"";
  out += '>';
  out += xml_text(s);
  out += "</text>\n";
}

}  // namespace cow::figure
