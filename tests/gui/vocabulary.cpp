// One vocabulary: the page map's tooltips (page_summary, engine/mm/explain.h) use smaps'
// words with their reason. "Shared" means mapcount >= 2 (docs/kernel-rules.md, "Shared and
// Private count mappings, not the mapping type"), so a page of a private mapping may be
// called shared only next to the mapcount that makes it so. Checked over every page of
// every example at every step. (Here rather than in tests/: it needs the examples, which
// only the GUI's build embeds.)
#include <catch2/catch.hpp>

#include <cctype>
#include <string>
#include <string_view>

#include "engine/mm/explain.h"
#include "engine/mm/pagemap.h"
#include "engine/script/session.h"
#include "engine/teach/glossary.h"
#include "web/embedded_examples.h"

namespace {

using namespace cow;

// The first line of `text` that says "shared" (any case) without "mapcount <digit>"; ""
// when none.
std::string shared_without_mapcount(std::string_view text) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string line(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    std::string lower = line;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower.find("shared") == std::string::npos) continue;
    size_t at = lower.find("mapcount ");
    if (at == std::string::npos || !std::isdigit(static_cast<unsigned char>(lower[at + 9]))) return line;
  }
  return "";
}

struct Seen {
  uint64_t pages = 0, private_shared = 0, private_file = 0;
};

// Checks the summary of every page every live task maps now.
void check_pages(const Engine& e, const std::string& where, Seen& seen) {
  for (ProcId p = 0; p < e.processes().size(); ++p) {
    if (!e.processes()[p].live()) continue;
    for (const Mapping& m : e.address_spaces()[e.processes()[p].mm].mappings) {
      for (const PageEntry& pe : pagemap(e, p, m.name)) {
        std::string text = page_summary(pe);
        ++seen.pages;
        INFO(where << " " << e.processes()[p].name << " " << e.name(m.name) << "[" << pe.page << "]: " << text);
        if (pe.share == Share::Private) REQUIRE(shared_without_mapcount(text).empty());
        bool counted = pe.present && !pe.zero_page;
        if (counted) {
          // smaps' own words, by mapcount alone.
          REQUIRE(text.find(pe.mapcount >= 2 ? "counted as Shared_" : "counted as Private_") != std::string::npos);
          REQUIRE(text.find("(mapcount " + std::to_string(pe.mapcount) + ")") != std::string::npos);
        }
        // Every page, file pages included, says what the next access does.
        REQUIRE(text.find("\nnext: a read") != std::string::npos);
        REQUIRE(text.find("a write") != std::string::npos);
        seen.private_shared += pe.share == Share::Private && counted && pe.mapcount >= 2;
        seen.private_file += pe.share == Share::Private && pe.backing == Backing::File;
      }
    }
  }
}

}  // namespace

TEST_CASE("vocabulary: the check rejects the page tooltip's old words", "[vocabulary]") {
  // What the page map's tooltip said of a private page after fork: "anon shared".
  REQUIRE(shared_without_mapcount("frame 3   mapcount 2   shared\nanon shared, dirty, read-only") ==
          "anon shared, dirty, read-only");
  REQUIRE(shared_without_mapcount("anonymous page, private mapping; counted as Shared_Dirty because its frame is "
                                  "mapped twice (mapcount 2)")
              .empty());
}

TEST_CASE("vocabulary: no page of a private mapping is called shared without its mapcount", "[vocabulary]") {
  Seen seen;
  for (size_t i = 0; i < web::kEmbeddedExampleCount; ++i) {
    const web::EmbeddedFile& f = web::kEmbeddedExamples[i];
    script::Session s;
    REQUIRE(s.load(std::string_view(reinterpret_cast<const char*>(f.data), f.size)));
    check_pages(s.engine(), std::string(f.name) + " step 0", seen);
    while (!s.at_end() && s.step()) check_pages(s.engine(), std::string(f.name) + " step " + std::to_string(s.position()), seen);
  }
  // The sweep met what the rule is about: private pages mapped twice, private file pages.
  CHECK(seen.private_shared > 100);
  CHECK(seen.private_file > 10);
}

TEST_CASE("vocabulary: a page-cache page of a private mapping says what a write does", "[vocabulary]") {
  script::Session s;
  // fork gives C1 no PTEs for a file mapping never written: C1 reads the page itself.
  REQUIRE(s.load("file data 32\nspawn P1\nP1 mmap m data\nP1 read m 0\nP1 fork C1\nC1 read m 0\n"));
  s.run_all();
  REQUIRE_FALSE(s.stopped());
  const Engine& e = s.engine();
  std::optional<PageEntry> pe = page_entry(e, 0, e.address_spaces()[e.processes()[0].mm].mappings[0].name, 0);
  REQUIRE(pe);
  REQUIRE(page_summary(*pe) ==
          "page-cache page, private file mapping; counted as Shared_Clean because its frame is mapped twice "
          "(mapcount 2)\nframe 0, PTE read-only, clean; adds 1/2 page to Pss\nnext: a read does not fault; COW: a "
          "write copies it into a new anonymous frame (wp_page_copy); the file's page stays cached");
}

TEST_CASE("vocabulary: every word a tooltip names is in the glossary", "[vocabulary]") {
  for (const char* word : {"Rss", "Pss", "USS", "Shared", "Private", "Dirty", "Clean", "frame", "zero page",
                           "fault-around", "Shared_Dirty", "Private_Clean", "VmRSS", "RssAnon", "frames used"})
    CHECK(glossary_entry(word) != nullptr);
  CHECK(glossary_entry("no such word") == nullptr);
  // The formulas the Help window promises.
  CHECK(std::string(glossary_entry("Pss")->text).find("1/mapcount") != std::string::npos);
  CHECK(std::string(glossary_entry("Shared")->text).find("mapcount >= 2") != std::string::npos);
  std::string text = glossary_text(60);
  REQUIRE(text.find("Pss (proportional set size)\n  Each present page counts 1/mapcount:") != std::string::npos);
  for (size_t at = 0, nl; at < text.size(); at = nl + 1) {
    nl = text.find('\n', at);
    std::string line = text.substr(at, nl - at);
    INFO(line);
    CHECK((line.size() <= 60 || line.find(' ', 2) == std::string::npos));
  }
}
