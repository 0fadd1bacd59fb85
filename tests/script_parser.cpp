// cowscript parser, well-formed input: every statement form of the language
// and the Statement fields it fills. Errors are in script_errors.cpp.
#include <catch2/catch.hpp>

#include "engine/script/parser.h"

using namespace cow;
using namespace cow::script;

namespace {

Script parse_ok(std::string_view text) {
  ParseResult r = parse(text);
  INFO("error: " << (r.error ? std::to_string(r.error->pos.line) + ":" +
                                   std::to_string(r.error->pos.col) + ": " + r.error->message
                             : ""));
  REQUIRE_FALSE(r.error.has_value());
  return r.script;
}

// The only statement of a one-line script.
Statement one(std::string_view text) {
  Script s = parse_ok(text);
  REQUIRE(s.statements.size() == 1);
  return s.statements[0];
}

bool same_pages(const Pages& got, std::vector<std::pair<uint32_t, uint32_t>> want) {
  if (got.size() != want.size()) return false;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].first != want[i].first || got[i].last != want[i].second) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("ram takes pages or a byte size", "[script_parser]") {
  Statement s = one("ram 64M");
  CHECK(s.verb == Verb::Ram);
  CHECK(s.count == 16384);  // 64 MiB / 4 KiB
  CHECK(s.count_pos.line == 1);
  CHECK(s.count_pos.col == 5);
  CHECK_FALSE(s.has_actor);
  CHECK(one("ram 100").count == 100);
  CHECK(one("ram 1G").count == 262144);
  CHECK(one("ram 8K").count == 2);
  CHECK(one("ram 64m").count == 16384);  // lower-case units are forgiven
}

TEST_CASE("file declares a name and a size", "[script_parser]") {
  Statement s = one("file data 32");
  CHECK(s.verb == Verb::File);
  CHECK(s.file == "data");
  CHECK(s.file_pos.col == 6);
  CHECK(s.count == 32);
  CHECK(s.count_pos.col == 11);
  CHECK(one("file lib.so-1 128K").count == 32);
  CHECK(one("file lib.so-1 128K").file == "lib.so-1");
}

TEST_CASE("mode chooses the fork flavour", "[script_parser]") {
  CHECK(one("mode fork=copy").mode == ForkMode::Copy);
  CHECK(one("mode fork=cow").mode == ForkMode::Cow);
  CHECK(one("mode fork = copy").mode == ForkMode::Copy);
  CHECK(one("mode fork=copy").verb == Verb::Mode);
}

TEST_CASE("spawn and show", "[script_parser]") {
  Statement s = one("spawn P1");
  CHECK(s.verb == Verb::Spawn);
  CHECK(s.target.text == "P1");
  CHECK_FALSE(s.target.is_range);
  CHECK(s.target.pos.col == 7);
  CHECK_FALSE(s.has_actor);

  Statement r = one("spawn w[1-3]");
  CHECK(r.target.is_range);
  CHECK(r.target.expand() == std::vector<std::string>{"w1", "w2", "w3"});

  CHECK(one("show").verb == Verb::Show);
  CHECK(one("  show   # a bookmark").verb == Verb::Show);
}

TEST_CASE("steps number statements, skipping blank and comment lines", "[script_parser]") {
  Script s = parse_ok(
      "# a comment line\n"
      "\n"
      "ram 64M   # trailing comment\n"
      "   \n"
      "spawn P1\n"
      "P1 mmap heap 4#comment right after a token\n"
      "show\n");
  REQUIRE(s.statements.size() == 4);
  for (size_t i = 0; i < 4; ++i) CHECK(s.statements[i].step == int(i) + 1);
  CHECK(s.statements[0].pos.line == 3);
  CHECK(s.statements[1].pos.line == 5);
  CHECK(s.statements[2].pos.line == 6);
  CHECK(s.statements[2].count == 4);
  CHECK(s.statements[3].pos.line == 7);
  CHECK(parse_ok("").statements.empty());
  CHECK(parse_ok("# only a comment").statements.empty());
}

TEST_CASE("line_end_col is just past the last token", "[script_parser]") {
  CHECK(one("P1 write heap").line_end_col == 14);
  CHECK(one("P1 write heap   # comment").line_end_col == 14);
  CHECK(one("  show").line_end_col == 7);
}

TEST_CASE("mmap of anonymous memory", "[script_parser]") {
  Statement s = one("P1 mmap heap 64");
  CHECK(s.verb == Verb::Mmap);
  CHECK(s.has_actor);
  CHECK(s.actor.text == "P1");
  CHECK(s.actor.pos.col == 1);
  CHECK(s.region == "heap");
  CHECK(s.region_pos.col == 9);
  CHECK(s.backing == Backing::Anon);
  CHECK(s.count == 64);
  CHECK(s.count_pos.col == 14);
  CHECK(s.share == Share::Private);
  CHECK(s.prot == Prot::ReadWrite);

  CHECK(one("P1 mmap heap 256K").count == 64);
  CHECK(one("P1 mmap heap 1M").count == 256);
  CHECK(one("P1 mmap buf 16 shared").share == Share::Shared);
  CHECK(one("P1 mmap rodata 8 readonly").prot == Prot::ReadOnly);
  CHECK(one("P1 mmap a 1 private readwrite").share == Share::Private);
}

TEST_CASE("mmap of a file", "[script_parser]") {
  Statement s = one("P1 mmap cfg data");
  CHECK(s.backing == Backing::File);
  CHECK(s.file == "data");
  CHECK(s.file_pos.col == 13);
  CHECK(s.count == 0);
  CHECK(s.share == Share::Private);

  CHECK(one("P1 mmap log data shared").share == Share::Shared);
  CHECK(one("P1 mmap log data shared").backing == Backing::File);
}

TEST_CASE("mmap flags may come in any order", "[script_parser]") {
  for (const char* text : {"P1 mmap m data shared readonly", "P1 mmap m data readonly shared"}) {
    Statement s = one(text);
    CHECK(s.share == Share::Shared);
    CHECK(s.prot == Prot::ReadOnly);
  }
  Statement a = one("P1 mmap m 4 readonly private");
  CHECK(a.share == Share::Private);
  CHECK(a.prot == Prot::ReadOnly);
  // Saying the same thing twice is harmless.
  CHECK(one("P1 mmap m 4 shared shared").share == Share::Shared);
}

TEST_CASE("write, read and munmap cover all pages or a page list", "[script_parser]") {
  Statement all = one("P1 write heap");
  CHECK(all.verb == Verb::Write);
  CHECK(all.region == "heap");
  CHECK(all.pages.empty());

  Statement span = one("P1 write heap 0-15");
  CHECK(same_pages(span.pages, {{0, 15}}));
  CHECK(span.pages_pos.col == 15);

  Statement list = one("P1 read heap 3,5,7-9");
  CHECK(list.verb == Verb::Read);
  CHECK(same_pages(list.pages, {{3, 3}, {5, 5}, {7, 9}}));

  CHECK(same_pages(one("P1 write heap 0").pages, {{0, 0}}));
  CHECK(same_pages(one("P1 write heap 4-4").pages, {{4, 4}}));
  CHECK(same_pages(one("P1 read heap 4294967295").pages, {{4294967295u, 4294967295u}}));

  Statement un = one("P1 munmap buf");
  CHECK(un.verb == Verb::Munmap);
  CHECK(un.pages.empty());
  CHECK(same_pages(one("P1 munmap buf 2-3,8").pages, {{2, 3}, {8, 8}}));
}

TEST_CASE("madvise takes every advice, with or without a range", "[script_parser]") {
  const std::vector<std::pair<const char*, Advice>> advice = {{"dontfork", Advice::DontFork},
                                                              {"dofork", Advice::DoFork},
                                                              {"wipeonfork", Advice::WipeOnFork},
                                                              {"keeponfork", Advice::KeepOnFork},
                                                              {"dontneed", Advice::DontNeed}};
  for (const auto& [word, value] : advice) {
    Statement s = one(std::string("P1 madvise heap ") + word);
    CHECK(s.verb == Verb::Madvise);
    CHECK(s.advice == value);
    CHECK(s.pages.empty());
  }
  Statement r = one("P1 madvise heap 0-7 dontfork");
  CHECK(r.advice == Advice::DontFork);
  CHECK(same_pages(r.pages, {{0, 7}}));
}

TEST_CASE("mprotect takes readonly or readwrite, with or without a range", "[script_parser]") {
  Statement s = one("P1 mprotect heap readonly");
  CHECK(s.verb == Verb::Mprotect);
  CHECK(s.protect == Prot::ReadOnly);
  CHECK(s.pages.empty());
  Statement r = one("P1 mprotect heap 2,4-5 readwrite");
  CHECK(r.protect == Prot::ReadWrite);
  CHECK(same_pages(r.pages, {{2, 2}, {4, 5}}));
}

TEST_CASE("fork, vfork, thread, exec and exit", "[script_parser]") {
  Statement f = one("P1 fork C1");
  CHECK(f.verb == Verb::Fork);
  CHECK(f.actor.text == "P1");
  CHECK(f.target.text == "C1");
  CHECK(f.target.pos.col == 9);

  CHECK(one("C1 vfork V1").verb == Verb::Vfork);
  CHECK(one("C1 vfork V1").target.text == "V1");
  CHECK(one("C1 thread T1").verb == Verb::Thread);
  CHECK(one("C1 thread T1").target.text == "T1");

  Statement e = one("V1 exec");
  CHECK(e.verb == Verb::Exec);
  CHECK(e.actor.text == "V1");
  CHECK(one("C1 exit").verb == Verb::Exit);
}

TEST_CASE("name ranges count upward and stay one statement", "[script_parser]") {
  Statement f = one("P1 fork w[1-4]");
  CHECK(f.target.is_range);
  CHECK(f.target.text == "w[1-4]");
  CHECK(f.target.base == "w");
  CHECK(f.target.lo == 1);
  CHECK(f.target.hi == 4);
  CHECK(f.target.count() == 4);
  CHECK(f.target.expand() == std::vector<std::string>{"w1", "w2", "w3", "w4"});

  Script s = parse_ok("w[1-4] write heap 0\n");
  REQUIRE(s.statements.size() == 1);
  CHECK(s.statements[0].actor.is_range);
  CHECK(s.statements[0].actor.count() == 4);

  CHECK(one("P1 fork w[0-2]").target.expand() == std::vector<std::string>{"w0", "w1", "w2"});
  CHECK(one("P1 fork w[7-7]").target.expand() == std::vector<std::string>{"w7"});
  CHECK(one("P1 fork w[9-11]").target.expand() == std::vector<std::string>{"w9", "w10", "w11"});
  CHECK(one("P1 thread t.x-[1-2]").target.expand() == std::vector<std::string>{"t.x-1", "t.x-2"});
  CHECK(one("P1 fork w[1-4096]").target.count() == 4096);  // exactly the default limit

  NameRef plain = one("P1 fork C1").target;
  CHECK(plain.count() == 1);
  CHECK(plain.expand() == std::vector<std::string>{"C1"});

  Statement e = one("expect w[1-2] rss=1");
  CHECK(e.actor.is_range);
  CHECK(e.actor.count() == 2);
}

TEST_CASE("expect has three scopes", "[script_parser]") {
  Statement sys = one("expect frames_mapped=80 cow_copies=16");
  CHECK(sys.verb == Verb::Expect);
  CHECK(sys.scope == MetricScope::System);
  CHECK_FALSE(sys.has_actor);
  REQUIRE(sys.checks.size() == 2);
  CHECK(sys.checks[0].metric == "frames_mapped");
  CHECK(sys.checks[0].value == 80);
  CHECK(sys.checks[0].pos.col == 8);
  CHECK(sys.checks[0].value_pos.col == 22);
  CHECK(sys.checks[1].metric == "cow_copies");
  CHECK(sys.checks[1].value == 16);

  Statement proc = one("expect C1 rss=64 pss=40 shared=48 private=16");
  CHECK(proc.scope == MetricScope::Process);
  CHECK(proc.has_actor);
  CHECK(proc.actor.text == "C1");
  REQUIRE(proc.checks.size() == 4);
  CHECK(proc.checks[3].metric == "private");
  CHECK(proc.checks[3].value == 16);

  Statement reg = one("expect C1 heap private_dirty=16");
  CHECK(reg.scope == MetricScope::Region);
  CHECK(reg.actor.text == "C1");
  CHECK(reg.region == "heap");
  CHECK(reg.region_pos.col == 11);
  REQUIRE(reg.checks.size() == 1);
  CHECK(reg.checks[0].metric == "private_dirty");

  CHECK(one("expect C1 heap pages=16").checks[0].metric == "pages");
  // Spaces around '=' are forgiven.
  CHECK(one("expect C1 rss = 64").checks[0].value == 64);
  // A region may be called like a metric or keyword: position decides.
  CHECK(one("expect C1 file rss=1").region == "file");
}

TEST_CASE("expect values: integers, pss decimals, sizes and states", "[script_parser]") {
  Check pss = one("expect C1 pss=40.25").checks[0];
  CHECK(pss.value == Approx(40.25));
  CHECK(pss.value_text == "40.25");
  CHECK_FALSE(pss.state.has_value());

  CHECK(one("expect C1 pss=0.3333").checks[0].value == Approx(0.3333));
  CHECK(one("expect C1 rss=256K").checks[0].value == 64);
  CHECK(one("expect C1 rss=1M").checks[0].value == 256);
  CHECK(one("expect frames_total=64M").checks[0].value == 16384);

  const std::vector<std::pair<const char*, ProcState>> states = {
      {"running", ProcState::Running},
      {"suspended", ProcState::Suspended},
      {"exited", ProcState::Exited},
      {"killed", ProcState::Killed}};
  for (const auto& [word, value] : states) {
    Check c = one(std::string("expect C1 state=") + word).checks[0];
    CHECK(c.metric == "state");
    REQUIRE(c.state.has_value());
    CHECK(*c.state == value);
    CHECK(c.value_text == word);
  }
}

TEST_CASE("every metric of each scope is accepted there", "[script_parser]") {
  for (const char* m :
       {"rss", "pss", "uss", "shared", "private", "shared_clean", "shared_dirty", "private_clean",
        "private_dirty", "anon", "file", "shmem", "ptes", "zero_ptes", "vm_pte"}) {
    INFO(m);
    CHECK(is_process_metric(m));
    CHECK(one(std::string("expect P1 ") + m + "=0").checks[0].metric == m);
  }
  CHECK(is_process_metric("state"));
  for (const char* m :
       {"rss", "pss", "uss", "shared", "private", "shared_clean", "shared_dirty", "private_clean",
        "private_dirty", "anon", "file", "shmem", "ptes", "zero_ptes", "pages"}) {
    INFO(m);
    CHECK(is_region_metric(m));
    CHECK(one(std::string("expect P1 heap ") + m + "=0").checks[0].metric == m);
  }
  for (const char* m :
       {"frames_total",   "frames_used", "frames_free",   "frames_mapped", "frames_shared",
        "frames_private", "page_cache",  "shmem",         "faults",        "faults_read",
        "faults_write",   "cow_copies",  "cow_reuses",    "zero_fills",    "zero_page_maps",
        "file_maps",      "ptes_copied", "fork_failures", "oom_kills",     "segfaults"}) {
    INFO(m);
    CHECK(is_system_metric(m));
    CHECK(one(std::string("expect ") + m + "=0").checks[0].metric == m);
  }
  CHECK_FALSE(is_region_metric("vm_pte"));
  CHECK_FALSE(is_region_metric("state"));
  CHECK_FALSE(is_process_metric("pages"));
  CHECK_FALSE(is_system_metric("rss"));
  CHECK_FALSE(is_process_metric("frames_free"));
}

TEST_CASE("line ends: LF, CRLF and a lone CR, and tabs as blanks", "[script_parser]") {
  Script crlf = parse_ok("spawn P1\r\nP1 mmap heap 4\r\n\r\nP1 write heap 1-2\r\n");
  REQUIRE(crlf.statements.size() == 3);
  CHECK(crlf.statements[2].pos.line == 4);
  CHECK(same_pages(crlf.statements[2].pages, {{1, 2}}));

  Script cr = parse_ok("spawn P1\rP1 exit");
  REQUIRE(cr.statements.size() == 2);
  CHECK(cr.statements[1].pos.line == 2);

  Statement tabs = one("\tP1\tmmap heap\t4\tshared  ");
  CHECK(tabs.pos.col == 2);  // a tab is one column
  CHECK(tabs.region_pos.col == 10);
  CHECK(tabs.count == 4);
  CHECK(tabs.share == Share::Shared);

  Script no_final_newline = parse_ok("spawn P1\nshow");
  CHECK(no_final_newline.statements.size() == 2);
}

TEST_CASE("UTF-8 is welcome in comments and a byte-order mark is skipped", "[script_parser]") {
  Script s = parse_ok("# copy-on-write — démo ✓\nspawn P1  # 進程\n");
  REQUIRE(s.statements.size() == 1);
  CHECK(s.statements[0].pos.line == 2);

  Statement bom = one("\xEF\xBB\xBFspawn P1");
  CHECK(bom.pos.col == 1);
  CHECK(bom.target.pos.col == 7);
}

TEST_CASE("suggest picks the nearest word or none", "[script_parser]") {
  const std::vector<std::string> verbs = {"mmap", "munmap",  "write",   "read",
                                          "fork", "vfork",   "thread",  "exec",
                                          "exit", "madvise", "mprotect"};
  CHECK(suggest("frok", verbs) == "fork");  // a swap
  CHECK(suggest("wirte", verbs) == "write");
  CHECK(suggest("madvice", verbs) == "madvise");
  CHECK(suggest("FORK", verbs) == "fork");  // case only
  CHECK(suggest("banana", verbs) == "");
  CHECK(suggest("rsss", {"rss", "pss", "uss"}) == "rss");
  CHECK(suggest("C2", {"C1", "P1"}) == "C1");
  CHECK(suggest("", verbs) == "");
}
