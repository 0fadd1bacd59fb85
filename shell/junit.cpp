#include "junit.h"

#include <cstdint>
#include <cstdio>

namespace cow::shell {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// The length of the well-formed UTF-8 sequence at text[i] that XML 1.0 allows, or 0.
size_t xml_char_length(std::string_view text, size_t i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return c >= 0x20 || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > text.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = static_cast<unsigned char>(text[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (d & 0x3F);
  }
  static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  bool allowed = cp >= kSmallest[n] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0xFFFE &&
                 cp != 0xFFFF;
  return allowed ? n : 0;
}

std::string attribute(std::string_view name, std::string_view value) {
  std::string out = " ";
  return ((out += name) += "=\"") + xml_escape(value) + '"';
}

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s < 0 ? 0.0 : s);
  return buf;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n = xml_char_length(text, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    switch (text[i]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;  // a raw one would be read back as '\n'
      default: out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string junit_xml(std::string_view suite, const std::vector<TestCase>& cases, double seconds,
                      std::string_view timestamp) {
  size_t failures = 0;
  for (const TestCase& c : cases) failures += !c.passed;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite" + attribute("name", suite) +
                    attribute("tests", std::to_string(cases.size())) + attribute("failures", std::to_string(failures)) +
                    attribute("errors", "0") + attribute("skipped", "0") + attribute("time", format_seconds(seconds));
  if (!timestamp.empty()) out += attribute("timestamp", timestamp);
  out += ">\n";
  for (const TestCase& c : cases) {
    out += "  <testcase" + attribute("name", c.name) + attribute("classname", suite) +
           attribute("time", format_seconds(c.seconds));
    if (c.passed) {
      out += "/>\n";
      continue;
    }
    out += ">\n    <failure" + attribute("type", c.failure_type) + attribute("message", c.failure_message) + ">" +
           xml_escape(c.failure_text) + "</failure>\n  </testcase>\n";
  }
  return out + "</testsuite>\n";
}

}  // namespace cow::shell
