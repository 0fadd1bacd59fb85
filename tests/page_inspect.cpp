// One page for the web page's inspector (script::page_json): the same members and values
// as the page's entry in `cowlab run --json --pagemap`, plus "explain", the sentence of
// engine/mm/explain.h for the page's state, what a write would do (the one reuse-or-copy
// decision, Fault::wp_can_reuse) and the last event that set it. Expected values are
// worked out by hand: frames are numbered from 0 in allocation order, regions start at
// 1 TiB (0x10000000000).
#include <catch2/catch.hpp>

#include <string>

#include "engine/script/session.h"

using cow::script::Explain;
using cow::script::page_json;
using cow::script::Session;

namespace {

const char* kScript =
    "spawn P1\n"
    "P1 mmap heap 64\n"
    "P1 mmap zero 8\n"
    "P1 write heap\n"
    "P1 read zero 0-3\n"
    "P1 fork C1\n"
    "C1 write heap 0-15\n";

// The entry of `page` in the "pagemap" of `process`'s region `region` in the JSON.
std::string pagemap_entry(const std::string& j, const std::string& process, const std::string& region, int page) {
  size_t p = j.find("{\"name\":\"" + process + "\",\"pid\"");
  REQUIRE(p != std::string::npos);
  size_t r = j.find("{\"name\":\"" + region + "\",\"kind\"", p);
  REQUIRE(r != std::string::npos);
  size_t e = j.find("{\"page\":" + std::to_string(page) + ",", r);
  REQUIRE(e != std::string::npos);
  return j.substr(e, j.find('}', e) - e + 1);  // an entry holds no nested object
}

}  // namespace

TEST_CASE("page_json returns the page's --pagemap entry", "[page_inspect]") {
  Session s;
  REQUIRE(s.load(kScript));
  s.run_all();
  std::string j = cow::script::state_json(s, {.pagemap = true});
  for (const char* process : {"P1", "C1"})
    for (int page : {0, 15, 16, 63}) {
      INFO(process << " heap " << page);
      CHECK(page_json(s, process, "heap", page, Explain::No) == pagemap_entry(j, process, "heap", page));
    }
  for (int page : {0, 3, 4, 7}) {
    INFO("zero " << page);
    CHECK(page_json(s, "P1", "zero", page, Explain::No) == pagemap_entry(j, "P1", "zero", page));
  }
  // The zero page: its own id (beyond every RAM frame), kind "zero", mapcount 0 (never
  // counted); read-only in a private writable VMA, so copy-on-write. 1 TiB + 1 GiB + 2 pages.
  CHECK(page_json(s, "P1", "zero", 2, Explain::No) ==
        "{\"page\":2,\"address\":\"0x10040002000\",\"present\":true,\"walk\":[2,1,0,2],\"frame\":16777216,"
        "\"writable\":false,\"dirty\":false,\"zero_page\":true,\"kind\":\"zero\",\"mapcount\":0,\"cow\":true}");
}

TEST_CASE("page_json with explain: the state, what a write does, and the last event", "[page_inspect]") {
  Session s;
  REQUIRE(s.load(kScript));
  s.run_all();
  auto explain_of = [&](const char* process, const char* region, int page) {
    std::string j = page_json(s, process, region, page, Explain::Yes);
    std::string plain = page_json(s, process, region, page, Explain::No);
    // The same members, then "explain".
    REQUIRE(j.rfind(plain.substr(0, plain.size() - 1) + ",\"explain\":\"", 0) == 0);
    return j.substr(plain.size() + 11, j.size() - plain.size() - 13);
  };
  // C1's page 3: its own copy (frames 64-79 after P1's 0-63).
  CHECK(explain_of("C1", "heap", 3) ==
        "C1 heap[3] at 0x10000003000: frame 67 (anon, mapcount 1), writable, dirty: a write does not fault. "
        "Last: C1 write heap[0-15]: handle_pte_fault \u2192 do_wp_page \u2192 wp_page_copy: anonymous, mapcount 2: "
        "copied each to a new frame; PTE frames 0-15 read-only dirty \u2192 frames 64-79 writable dirty; "
        "mapcount 2 \u2192 1.");
  // C1's page 20: still shared; its last event is the fork that copied its PTE.
  std::string c20 = explain_of("C1", "heap", 20);
  CHECK(c20.rfind("C1 heap[20] at 0x10000014000: frame 20 (anon, mapcount 2), read-only, dirty: "
                  "COW: a write copies it (wp_page_copy). Last: P1 fork C1 heap[0-63]: has an anon_vma",
                  0) == 0);
  // P1's page 3: C1 copied away, so P1 is the last mapper: a write would reuse it.
  std::string p3 = explain_of("P1", "heap", 3);
  CHECK(p3.rfind("P1 heap[3] at 0x10000003000: frame 3 (anon, mapcount 1), read-only, dirty: "
                 "COW: a write reuses it (wp_page_reuse: last mapper). Last: P1 write heap[0-63]: ",
                 0) == 0);
  CHECK(explain_of("P1", "zero", 1).rfind(
            "P1 zero[1] at 0x10040001000: zero page, read-only: COW: a write gets a zeroed frame of its own "
            "(wp_page_copy). Last: P1 read zero[0-3]: ",
            0) == 0);
  CHECK(explain_of("P1", "zero", 6) ==
        "P1 zero[6] at 0x10040006000: not present: the next access faults. No fault recorded for it.");
  // C1 never touched "zero": fork skipped the VMA (no anon_vma), so C1 has no PTE table.
  CHECK(explain_of("C1", "zero", 1) ==
        "C1 zero[1] at 0x10040001000: not present (no PTE table): the next access faults. Last: P1 fork C1 "
        "zero[0-7]: no anon_vma (never written: a fault brings its pages back): inherited without PTEs.");
}

TEST_CASE("page_json names what is missing", "[page_inspect]") {
  Session s;
  REQUIRE(s.load(kScript));
  s.run_all();
  CHECK(page_json(s, "C9", "heap", 0, Explain::Yes) == "{\"error\":\"unknown process 'C9'\"}");
  CHECK(page_json(s, "C1", "stack", 0, Explain::Yes) == "{\"error\":\"unknown region 'stack'\"}");
  CHECK(page_json(s, "C1", "heap", 64, Explain::Yes) == "{\"error\":\"'C1' does not map heap[64]\"}");
}
