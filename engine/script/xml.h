// XML text: the one escaping rule for every XML document cowlab writes (the JUnit report
// of `cowlab check --junit`, the SVG figures of engine/figure/svg.h).
#pragma once
#include <string>
#include <string_view>

namespace cow::script {

// `text` made safe inside an XML attribute or element: the five special characters as
// entities, characters XML 1.0 forbids and bytes that are not UTF-8 as U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace cow::script
