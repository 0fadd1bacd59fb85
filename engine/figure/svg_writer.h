// An SVG document written in order as text (the figures of svg.h). Every piece of text
// and every attribute value from a script goes through script::xml_escape (xml.h).
#pragma once
#include <string>
#include <string_view>

#include "colors.h"

namespace cow::figure {

// "#rrggbb" (the alpha is ignored: blend first with over()).
std::string hex(Rgba c);
// A coordinate: a whole number, or one decimal.
std::string num(double v);

enum class Anchor : uint8_t { Start, Middle, End };
enum class Weight : uint8_t { Normal, Bold };

struct TextStyle {
  double size = 14;
  Rgba color;
  Anchor anchor = Anchor::Start;
  Weight weight = Weight::Normal;
};

// The width of `text` in a sans-serif font of `size` px, estimated (no font metrics
// here): for laying out labels, generously.
double text_width(std::string_view text, double size);
// `text` cut to at most `width` px at `size` (estimated), with "..." when cut.
std::string fit_text(std::string_view text, double size, double width);

class Svg {
 public:
  std::string out;
  void rect(double x, double y, double w, double h, std::string_view fill, std::string_view extra = {});
  void text(double x, double y, std::string_view s, const TextStyle& style);
  void raw(std::string_view s) { out += s; }
};

}  // namespace cow::figure
