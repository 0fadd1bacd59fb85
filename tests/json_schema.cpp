// `cowlab run --json` schema version 1: every required key, in every object, with the
// right kind of value. The keys below are the schema: changing them changes its version.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

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
    require_keys(proc, {"name", "pid", "ppid", "minflt", "parent", "state", "mm", "rss", "pss", "uss", "shared_clean",
                        "shared_dirty", "private_clean", "private_dirty", "anon", "file", "shmem", "ptes",
                        "zero_ptes", "vm_pte", "regions"});
  }
  CHECK(object_at(j, p1).find("\"parent\":null") != std::string::npos);
  CHECK(object_at(j, t1).find("\"thread_of\":\"C1\"") != std::string::npos);
  // C1 took 16 faults (its COW writes); T1's parent is its process's parent (CLONE_THREAD).
  CHECK(object_at(j, c1).find("\"pid\":2,\"ppid\":1,\"minflt\":16,\"parent\":\"P1\"") != std::string::npos);
  CHECK(object_at(j, t1).find("\"pid\":3,\"ppid\":1,\"minflt\":16,\"parent\":\"P1\"") != std::string::npos);
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

// ---- members added by `run --json --pagemap` and `--events` ---------------------------

namespace {

// The array held by "key":[...] at or after `from` in `j`.
std::string member_array(const std::string& j, const std::string& key, size_t from = 0) {
  size_t k = j.find("\"" + key + "\":[", from);
  REQUIRE(k != std::string::npos);
  return object_at(j, k + key.size() + 3);
}

// The objects of a JSON array's text, in order.
std::vector<std::string> elements(const std::string& array) {
  std::vector<std::string> out;
  for (size_t at = 1; at < array.size() && array[at] == '{';) {
    out.push_back(object_at(array, at));
    at += out.back().size() + 1;  // past the object and its ',' (or the closing ']')
  }
  return out;
}

}  // namespace

TEST_CASE("json without the new options is what schema version 1 printed", "[json]") {
  Session s;
  REQUIRE(s.load(kScript));
  s.run_all();
  std::string j = cow::script::state_json(s);
  CHECK(j == cow::script::state_json(s, {}));
  for (const char* added : {"\"pagemap\"", "\"page_tables\"", "\"events\"", "\"walk\""}) {
    INFO(added);
    CHECK(j.find(added) == std::string::npos);
  }
}

TEST_CASE("json --pagemap: one entry per page of each region, page tables per process", "[json]") {
  Session s;
  REQUIRE(s.load(kScript));
  s.run_all();
  std::string j = cow::script::state_json(s, {.pagemap = true});
  CHECK(j.rfind("{\"version\":1,\"page_size\":4096,", 0) == 0);
  std::string c1 = object_at(j, j.find("{\"name\":\"C1\""));
  // C1 maps heap at 1 TiB (one PTE table) and cfg at 1 TiB + 1 GiB, which fork skipped
  // (a shared mapping) and C1 never touched: 1 PUD, 1 PMD and 1 PTE table, VmPTE 3.
  CHECK(c1.find("\"vm_pte\":3,\"page_tables\":{\"pud\":1,\"pmd\":1,\"pte\":1},\"regions\":[") != std::string::npos);

  std::string heap = object_at(c1, c1.find("{\"name\":\"heap\""));
  std::vector<std::string> pages = elements(member_array(heap, "pagemap"));
  REQUIRE(pages.size() == 64);  // as "pages": 64
  for (size_t i = 0; i < pages.size(); ++i) {
    INFO(pages[i]);
    CHECK(pages[i].rfind("{\"page\":" + std::to_string(i) + ",\"address\":\"0x", 0) == 0);
    require_keys(pages[i], {"page", "address", "present", "walk", "frame", "writable", "dirty", "zero_page", "kind",
                            "mapcount", "cow"});
  }
  // Frames: the file's page cache took 0-31, P1's heap writes 32-95, C1's copies 96-111.
  // Page 3: C1 wrote pages 0-15 after fork, so its own copy, frame 99. 1 TiB + 3 pages =
  // 0x10000003000; walk 2, 0, 0, 3.
  CHECK(pages[3] ==
        "{\"page\":3,\"address\":\"0x10000003000\",\"present\":true,\"walk\":[2,0,0,3],\"frame\":99,"
        "\"writable\":true,\"dirty\":true,\"zero_page\":false,\"kind\":\"anon\",\"mapcount\":1,\"cow\":false}");
  // Page 20: still shared with P1, write-protected by fork: copy-on-write.
  CHECK(pages[20] ==
        "{\"page\":20,\"address\":\"0x10000014000\",\"present\":true,\"walk\":[2,0,0,20],\"frame\":52,"
        "\"writable\":false,\"dirty\":true,\"zero_page\":false,\"kind\":\"anon\",\"mapcount\":2,\"cow\":true}");
  // cfg in C1: not present (fork copied no PTEs of a shared mapping); 1 TiB + 1 GiB.
  std::string cfg = object_at(c1, c1.find("{\"name\":\"cfg\""));
  std::vector<std::string> cfg_pages = elements(member_array(cfg, "pagemap"));
  REQUIRE(cfg_pages.size() == 32);
  CHECK(cfg_pages[0] == "{\"page\":0,\"address\":\"0x10040000000\",\"present\":false,\"walk\":[2,1,0,0]}");
}

TEST_CASE("json --events: every event with its step, line, pages, and why", "[json]") {
  Session s;
  REQUIRE(s.load(kScript));
  s.run_all();
  std::string j = cow::script::state_json(s, {.events = true});
  std::vector<std::string> events = elements(member_array(j, "events", j.find("\"expects\":")));
  REQUIRE(!events.empty());
  for (const std::string& e : events) require_keys(e, {"step", "line", "kind", "process", "region", "first_page", "pages"});
  auto find = [&](const std::string& prefix) -> std::string {
    for (const std::string& e : events)
      if (e.rfind(prefix, 0) == 0) return e;
    FAIL("no event starting with " << prefix);
    return "";
  };
  // Line 5, P1 write heap: 64 zero-fills, frames 32-95 (the file's page cache has 0-31),
  // as one event.
  std::string fill = find("{\"step\":5,\"line\":5,\"kind\":\"zero_fill\",\"process\":\"P1\",\"region\":\"heap\","
                          "\"first_page\":0,\"pages\":64,");
  CHECK(fill.find("\"path\":[\"handle_pte_fault\",\"do_pte_missing\",\"do_anonymous_page\"]") != std::string::npos);
  // Line 6, P1 fork C1: heap is copied, cfg (shared) is not.
  std::string heap = find("{\"step\":6,\"line\":6,\"kind\":\"fork_vma\",\"process\":\"P1\",\"region\":\"heap\",");
  CHECK(heap.find("\"child\":\"C1\",\"decision\":\"copy\",") != std::string::npos);
  CHECK(heap.find("\"ptes_copied\":64,\"write_protected\":64,") != std::string::npos);
  CHECK(heap.find("\"page_tables\":{\"pud\":1,\"pmd\":1,\"pte\":1}") != std::string::npos);
  std::string cfg = find("{\"step\":6,\"line\":6,\"kind\":\"fork_vma\",\"process\":\"P1\",\"region\":\"cfg\",");
  CHECK(cfg.find("\"decision\":\"skip\",") != std::string::npos);
  // Line 8, C1 write heap 0-15: 16 COW copies, frames 32-47 to 96-111.
  std::string copy = find("{\"step\":8,\"line\":8,\"kind\":\"cow_copy\",\"process\":\"C1\",\"region\":\"heap\","
                          "\"first_page\":0,\"pages\":16,");
  CHECK(copy.find("\"path\":[\"handle_pte_fault\",\"do_wp_page\",\"wp_page_copy\"],\"reason\":\"anonymous, "
                  "mapcount 2\",") != std::string::npos);
  CHECK(copy.find("\"pte_before\":{\"present\":true,\"frame\":32,\"writable\":false,\"dirty\":true,"
                  "\"zero_page\":false},\"pte_after\":{\"present\":true,\"frame\":96,\"writable\":true,"
                  "\"dirty\":true,\"zero_page\":false},\"mapcount_before\":2,\"mapcount_after\":1,") !=
        std::string::npos);
}
