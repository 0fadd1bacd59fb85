// Figures (engine/figure/svg.h): the SVG is well-formed XML, carries the legend, and
// has as many cells of each state as the engine counts pages and frames of that state.
// The expected counts come from the engine's accounting (Usage, SystemUsage), never
// from the renderer.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "engine/figure/svg.h"
#include "engine/script/bookmarks.h"

using namespace cow;
using namespace cow::figure;

namespace {

struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::vector<size_t> ancestors;  // indices of the enclosing elements
};

// A small XML reader, strict enough to reject what an XML parser rejects in our output:
// unbalanced or crossed tags, unquoted or repeated attributes, a raw '<' or a stray '&'
// in text or values, more than one root. Fills `out` and returns "" or the first error.
std::string parse_xml(const std::string& s, std::vector<Element>* out) {
  std::vector<size_t> open;
  size_t i = 0, roots = 0;
  auto entity_ok = [&](size_t at) {
    size_t semi = s.find(';', at);
    if (semi == std::string::npos || semi - at > 8) return false;
    std::string e = s.substr(at + 1, semi - at - 1);
    return e == "amp" || e == "lt" || e == "gt" || e == "quot" || e == "apos" || (e.size() > 1 && e[0] == '#');
  };
  if (s.starts_with("<?xml")) i = s.find("?>") + 2;
  while (i < s.size()) {
    if (s[i] != '<') {
      if (s[i] == '&' && !entity_ok(i)) return "stray & at " + std::to_string(i);
      if (open.empty() && s[i] != '\n' && s[i] != ' ') return "text outside the root at " + std::to_string(i);
      ++i;
      continue;
    }
    if (s.compare(i, 4, "<!--") == 0) {
      i = s.find("-->", i) + 3;
      continue;
    }
    if (s[i + 1] == '/') {
      size_t end = s.find('>', i);
      std::string name = s.substr(i + 2, end - i - 2);
      if (open.empty() || (*out)[open.back()].name != name) return "unbalanced </" + name + ">";
      open.pop_back();
      i = end + 1;
      continue;
    }
    Element e;
    size_t j = i + 1;
    while (j < s.size() && (std::isalnum(uint8_t(s[j])) || s[j] == '-' || s[j] == ':')) ++j;
    e.name = s.substr(i + 1, j - i - 1);
    if (e.name.empty()) return "raw < at " + std::to_string(i);
    for (;;) {
      while (s[j] == ' ' || s[j] == '\n') ++j;
      if (s[j] == '>' || s.compare(j, 2, "/>") == 0) break;
      size_t eq = s.find('=', j);
      std::string key = s.substr(j, eq - j);
      if (key.empty() || key.find_first_of(" <>\"") != std::string::npos || s[eq + 1] != '"')
        return "bad attribute in <" + e.name + ">";
      size_t close = s.find('"', eq + 2);
      std::string value = s.substr(eq + 2, close - eq - 2);
      if (value.find('<') != std::string::npos) return "< in a value of <" + e.name + ">";
      for (size_t k = value.find('&'); k != std::string::npos; k = value.find('&', k + 1))
        if (!entity_ok(eq + 2 + k)) return "stray & in a value of <" + e.name + ">";
      if (!e.attrs.emplace(key, value).second) return "repeated attribute " + key;
      j = close + 1;
    }
    e.ancestors = open;
    if (open.empty()) ++roots;
    out->push_back(e);
    if (s[j] == '>') open.push_back(out->size() - 1);
    i = s.find('>', j) + 1;
  }
  if (!open.empty()) return "<" + (*out)[open.back()].name + "> not closed";
  return roots == 1 ? "" : std::to_string(roots) + " root elements";
}

std::vector<Element> parsed(const std::string& svg) {
  std::vector<Element> out;
  std::string error = parse_xml(svg, &out);
  INFO(svg.substr(0, 2000));
  REQUIRE(error == "");
  return out;
}

// Cells of each state (class) under the group whose attribute `key` is `value`.
std::map<std::string, uint64_t> cells_in(const std::vector<Element>& els, const std::string& key,
                                         const std::string& value, const std::string& key2 = "",
                                         const std::string& value2 = "") {
  std::map<std::string, uint64_t> n;
  for (const Element& e : els) {
    if (!e.attrs.count("data-n")) continue;
    for (size_t a : e.ancestors) {
      const auto& at = els[a].attrs;
      if (at.count(key) && at.at(key) == value && (key2.empty() || (at.count(key2) && at.at(key2) == value2)))
        n[e.attrs.at("class")] += std::stoull(e.attrs.at("data-n"));
    }
  }
  return n;
}

const char* kScript =
    "ram 256\n"
    "spawn P1\n"
    "P1 mmap heap 64\n"
    "P1 write heap 0-39\n"
    "P1 read heap 40-47      # the zero page\n"
    "P1 fork C1\n"
    "# C1 writes 16 pages: <copies> & \"quotes\"\n"
    "C1 write heap 0-15\n"
    "show\n"
    "C1 mmap buf 8\n"
    "C1 write buf 0-2\n";

script::Session at_show(const std::string& text, size_t n) {
  script::Session s;
  REQUIRE(s.load(text));
  auto step = script::show_step(s.script(), n);
  REQUIRE(step);
  s.run_to(*step);
  REQUIRE(!s.stopped());
  return s;
}

void check_region(const Engine& e, const std::vector<Element>& els, const char* proc, const char* region) {
  Usage u = e.region_usage(e.find_process(proc), e.find_name(region));
  auto n = cells_in(els, "data-process", proc, "data-region", region);
  INFO(proc << " " << region);
  CHECK(n["anon-private"] == u.private_clean + u.private_dirty);
  CHECK(n["anon-shared"] == u.shared_clean + u.shared_dirty);
  CHECK(n["zero"] == u.zero_ptes);
  CHECK(n["absent"] == u.pages - u.ptes);
}

}  // namespace

TEST_CASE("figure: the page map has a cell of each page's state, as the engine counts them", "[figure]") {
  script::Session s = at_show(kScript, 1);
  std::vector<Element> els = parsed(render_svg(s, kScript, {.view = FigureView::PageMap}));
  check_region(s.engine(), els, "P1", "heap");
  check_region(s.engine(), els, "C1", "heap");
  // Not a vacuous check: the script made every kind of page.
  Usage p1 = s.engine().region_usage(s.engine().find_process("P1"), s.engine().find_name("heap"));
  CHECK(p1.private_dirty == 16);
  CHECK(p1.zero_ptes == 8);
  // C1's buf is not mapped yet at the show.
  CHECK(cells_in(els, "data-region", "buf").empty());
}

TEST_CASE("figure: physical memory has a cell per frame, as the engine counts them", "[figure]") {
  script::Session s = at_show(kScript, 1);
  s.run_all();
  std::vector<Element> els = parsed(render_svg(s, kScript, {.view = FigureView::Physical}));
  SystemUsage u = s.engine().system();
  auto n = cells_in(els, "data-map", "frames");
  CHECK(n["anon-shared"] == u.frames_shared);
  CHECK(n["anon-private"] == u.frames_private);
  CHECK(n["free"] == u.frames_free);  // 256 frames: all drawn (up to the highest used, in 256s)
  CHECK(n["anon-private"] + n["anon-shared"] == u.frames_used);
  check_region(s.engine(), parsed(render_svg(s, kScript, {.view = FigureView::PageMap})), "C1", "buf");
}

TEST_CASE("figure: the step view has the legend, the statement, its caption and the numbers", "[figure]") {
  script::Session s = at_show(kScript, 1);
  std::string svg = render_svg(s, kScript);
  parsed(svg);
  for (const char* label : {"not present", "zero page", "anonymous, mapcount 1", "anonymous, mapcount 2, 3-4 ... 65+",
                            "COW write-protected", "dirty", "free", "Page map", "Physical memory"})
    CHECK(svg.find(std::string(">") + label + "<") != std::string::npos);
  CHECK(svg.find("step 8 of 10:  show") != std::string::npos);
  // The caption of the latest statement that has one, escaped.
  CHECK(svg.find("C1 writes 16 pages: &lt;copies&gt; &amp; &quot;quotes&quot;") != std::string::npos);
  CHECK(svg.find("viewBox=\"0 0 1280 720\"") != std::string::npos);
  CHECK(svg.find(">" + std::to_string(s.engine().system().frames_used) + "<") != std::string::npos);
  CHECK(svg.find(">P1<") != std::string::npos);
  CHECK(svg.find(">heap<") != std::string::npos);
}

TEST_CASE("figure: the same state gives the same bytes, another step other bytes", "[figure]") {
  script::Session a = at_show(kScript, 1), b = at_show(kScript, 1);
  CHECK(render_svg(a, kScript) == render_svg(b, kScript));
  b.step();
  CHECK(render_svg(a, kScript) != render_svg(b, kScript));
  CHECK(render_svg(a, kScript, {.theme = Theme::Dark}) != render_svg(a, kScript));
}

TEST_CASE("figure: a large scene is summarized and stays small", "[figure]") {
  std::string text = "ram 200000\nspawn P1\nP1 mmap big 100000\nP1 write big 0-49999\nP1 mmap odd 4000\n"
                     "P1 read odd 0-1999\n";
  for (int i = 0; i < 60; ++i) text += "P1 fork C" + std::to_string(i) + "\n";
  script::Session s;
  REQUIRE(s.load(text));
  s.run_all();
  REQUIRE(!s.stopped());
  std::string svg = render_svg(s, text);
  parsed(svg);
  CHECK(svg.size() < 400 * 1024);
  CHECK(svg.find("pages</text>") != std::string::npos);                 // "one cell per N pages"
  CHECK(svg.find("more processes, not drawn") != std::string::npos);   // 61 do not fit
}

TEST_CASE("figure: view names", "[figure]") {
  CHECK(figure_view("pagemap") == FigureView::PageMap);
  CHECK(figure_view("physical") == FigureView::Physical);
  CHECK(figure_view("step") == FigureView::Step);
  CHECK_FALSE(figure_view("pages"));
}

TEST_CASE("bookmarks: the n-th show statement's step", "[figure]") {
  script::Session s;
  REQUIRE(s.load("spawn P1\nshow\nexpect P1 rss=0\nshow\n"));
  CHECK(script::show_count(s.script()) == 2);
  CHECK(script::show_step(s.script(), 1) == 2u);
  CHECK(script::show_step(s.script(), 2) == 4u);
  CHECK_FALSE(script::show_step(s.script(), 3));
  CHECK_FALSE(script::show_step(s.script(), 0));
}
