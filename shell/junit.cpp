#include "junit.h"

#include <cstdio>

namespace cow::shell {

namespace {

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
