#include "svg_writer.h"

#include <cmath>
#include <cstdio>

#include "engine/script/xml.h"

namespace cow::figure {

std::string hex(Rgba c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  return buf;
}

std::string num(double v) {
  double r = std::round(v * 10) / 10;
  char buf[32];
  if (r == std::floor(r))
    std::snprintf(buf, sizeof buf, "%.0f", r);
  else
    std::snprintf(buf, sizeof buf, "%.1f", r);
  return buf;
}

double text_width(std::string_view text, double size) {
  double em = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = uint8_t(text[i]);
    if ((c & 0xc0) == 0x80) continue;  // a UTF-8 continuation byte: counted with its lead
    em += c == ' ' || c == '.' || c == ',' || c == ':' || c == 'i' || c == 'l' ? 0.32
          : c >= 'A' && c <= 'Z'                                               ? 0.72
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
  out += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) + "\" fill=\"";
  out += fill;
  out += '"';
  if (!extra.empty()) (out += ' ') += extra;
  out += "/>\n";
}

void Svg::text(double x, double y, std::string_view s, const TextStyle& st) {
  out += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"" + num(st.size) + "\" fill=\"" + hex(st.color) +
         '"';
  if (st.anchor != Anchor::Start)
    out += st.anchor == Anchor::Middle ? " text-anchor=\"middle\"" : " text-anchor=\"end\"";
  if (st.weight == Weight::Bold) out += " font-weight=\"bold\"";
  out += '>';
  out += script::xml_escape(s);
  out += "</text>\n";
}

}  // namespace cow::figure
