// `cowlab run --json` schema version 1: every required key, in every object, with the
// right kind of value. The keys below are the schema: changing them changes its version.
#include <catch2/catch.hpp>

#include <string>

#include "engine/script/session.h"

using cow::script::Session;

namespace {

// The text of the JSON object that starts at `at` (a '{'), by bracket matching.
std::string object_at(const std::string& j, size_t at) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = at; i < j.size(); ++i) {
    char c = j[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if ((c == '}' || c == ']') && --depth == 0) return j.substr(at, i - at + 1);
  }
  return "";
}

// The object held by the first "key":{...} in `j`.
std::string member_object(const std::string& j, const std::string& key) {
  size_t k = j.find("\"" + key + "\":{");
  REQUIRE(k != std::string::npos);
  return object_at(j, k + key.size() + 3);
}

void require_keys(const std::string& obj, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    INFO("key " << k << " in " << obj.substr(0, 200));
    CHECK(obj.find(std::string("\"") + k + "\":") != std::string::npos);
  }
}

const char* kScript =
    "file data 32\n"
    "spawn P1\n"
    "P1 mmap heap 64\n"
    "P1 mmap cfg data shared\n"
    "P1 write heap\n"
    "P1 fork C1\n"
    "C1 thread T1\n"
    "C1 write heap 0-15\n"
    "expect C1 rss=64 pss=40\n"
    "expect P1 rss=63\n";

}  // namespace

TEST_CASE("json has every key of schema version 1", "[json]") {
  Session s;
  REQUIRE(s.load(kScript));
  s.run_all();
  std::string j = cow::script::state_json(s);
  REQUIRE(j.front() == '{');
  REQUIRE(j.back() == '}');
  CHECK(j.find('\n') == std::string::npos);
  CHECK(j.rfind("{\"version\":1,\"page_size\":4096,", 0) == 0);

  std::string system = member_object(j, "system");
  require_keys(system, {"frames_total", "frames_used", "frames_free", "frames_mapped", "frames_shared",
                        "frames_private", "page_cache", "counters"});
  require_keys(member_object(system, "counters"),
               {"faults", "faults_read", "faults_write", "cow_copies", "cow_reuses", "zero_fills",
                "zero_page_maps", "file_maps", "ptes_copied", "fork_failures", "oom_kills", "segfaults"});

  // Processes in creation order; a thread carries thread_of.
  size_t p1 = j.find("{\"name\":\"P1\"");
  size_t c1 = j.find("{\"name\":\"C1\"");
  size_t t1 = j.find("{\"name\":\"T1\"");
  REQUIRE(p1 != std::string::npos);
  REQUIRE(c1 != std::string::npos);
  REQUIRE(t1 != std::string::npos);
  CHECK((p1 < c1 && c1 < t1));
  for (size_t at : {p1, c1, t1}) {
    std::string proc = object_at(j, at);
    require_keys(proc, {"name", "pid", "parent", "state", "mm", "rss", "pss", "uss", "shared_clean",
                        "shared_dirty", "private_clean", "private_dirty", "anon", "file", "shmem", "ptes",
                        "zero_ptes", "vm_pte", "regions"});
  }
  CHECK(object_at(j, p1).find("\"parent\":null") != std::string::npos);
  CHECK(object_at(j, t1).find("\"thread_of\":\"C1\"") != std::string::npos);
  CHECK(object_at(j, c1).find("\"pss\":40.0000") != std::string::npos);  // exactly 4 decimals

  std::string heap = object_at(j, object_at(j, p1).find("{\"name\":\"heap\"") + p1);
  require_keys(heap, {"name", "kind", "mapping", "pages", "rss", "pss", "shared_clean", "shared_dirty",
                      "private_clean", "private_dirty", "anon", "ptes", "zero_ptes"});
  CHECK(heap.find("\"kind\":\"anon\",\"mapping\":\"private\",\"pages\":64") != std::string::npos);
  CHECK(j.find("{\"name\":\"cfg\",\"kind\":\"file\",\"mapping\":\"shared\",\"pages\":32") != std::string::npos);

  // One expect held, one failed: each is listed with its line.
  CHECK(j.find("{\"line\":9,\"ok\":true,") != std::string::npos);
  CHECK(j.find("{\"line\":10,\"ok\":false,") != std::string::npos);
  CHECK(j.find("\"error\":") == std::string::npos);
}

TEST_CASE("json after a runtime error carries the error and the state reached", "[json]") {
  Session s;
  REQUIRE(s.load("spawn P1\nP1 mmap heap 8\nP1 write heap\nC9 write heap\n"));
  s.run_all();
  std::string j = cow::script::state_json(s);
  CHECK(j.find("\"error\":{\"line\":4,\"col\":1,\"message\":\"unknown process 'C9'") != std::string::npos);
  CHECK(j.find("\"frames_used\":8") != std::string::npos);
}

TEST_CASE("the same script gives byte-identical json", "[json]") {
  Session a, b;
  REQUIRE(a.load(kScript));
  REQUIRE(b.load(kScript));
  a.run_all();
  b.run_all();
  CHECK(cow::script::state_json(a) == cow::script::state_json(b));
}
