// The rules newer than some kernels (engine/kernel/rule_versions.h): which statements use
// them, and which of them a difference on an older kernel is put down to. The scripts'
// behaviour is Linux 6.18's, measured with `cowlab validate` (tests/validate/thp_fork.cow,
// thp_zero.cow, mprotect_faults.cow agree there); the releases are those of the changes.
#include <catch2/catch.hpp>

#include "engine/kernel/rule_versions.h"
#include "engine/script/session.h"

using namespace cow;
using namespace cow::kernel;

namespace {
// The rules each statement of `text` used, one entry per statement.
std::vector<std::vector<NewRule>> rules_of(const std::string& text) {
  script::Session s;
  REQUIRE(s.load(text));
  std::vector<std::vector<NewRule>> out;
  while (s.step()) out.push_back(rules_used(s.engine(), s.history().back().events));
  REQUIRE(!s.error());
  return out;
}

bool has(const std::vector<NewRule>& v, NewRule r) { return std::find(v.begin(), v.end(), r) != v.end(); }
}  // namespace

TEST_CASE("kernel releases parse to major.minor", "[rule_versions]") {
  CHECK(parse_release("6.18.0-1-amd64")->text() == "6.18");
  CHECK(parse_release("6.1.0")->text() == "6.1");
  CHECK(parse_release("5.15.167.4-microsoft-standard-WSL2")->text() == "5.15");
  CHECK(parse_release("6.12")->minor == 12);
  CHECK_FALSE(parse_release("").has_value());
  CHECK_FALSE(parse_release("linux").has_value());
  CHECK_FALSE(parse_release("6").has_value());
  CHECK_FALSE(parse_release("6.").has_value());
  CHECK(KernelVersion{6, 12}.older_than({6, 13}));
  CHECK(KernelVersion{5, 19}.older_than({6, 0}));
  CHECK_FALSE(KernelVersion{6, 18}.older_than({6, 15}));
  CHECK_FALSE(KernelVersion{6, 13}.older_than({6, 13}));
}

TEST_CASE("a write to the huge zero page uses do_huge_zero_wp_pmd's rule, at that statement only",
          "[rule_versions]") {
  auto r = rules_of("spawn P1\nP1 mmap A 512 thp\nP1 read A\nP1 write A 0\n");
  REQUIRE(r.size() == 4);
  CHECK(r[2].empty());  // the read maps the huge zero page: an old rule
  CHECK(r[3] == std::vector<NewRule>{NewRule::HugeZeroWriteAllocatesThp});
}

TEST_CASE("a reuse of a page of a PTE-mapped THP uses __wp_can_reuse_large_anon_folio's rule", "[rule_versions]") {
  // After the fork the parent's write splits its PMD and copies page 0 (the THP is shared);
  // once the child is gone, page 1 of the now exclusive, PTE-mapped THP is reused.
  auto r = rules_of("spawn P1\nP1 mmap heap 512 thp\nP1 write heap\nP1 fork C1\nP1 write heap 0\nC1 exit\n"
                    "P1 write heap 1\n");
  REQUIRE(r.size() == 7);
  for (size_t i = 0; i < 6; ++i) CHECK_FALSE(has(r[i], NewRule::LargeFolioPageReuse));
  CHECK(has(r[6], NewRule::LargeFolioPageReuse));
}

TEST_CASE("mprotect back to writable uses the anon-exclusive rule in private mappings only", "[rule_versions]") {
  auto r = rules_of("spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 mprotect heap readonly\n"
                    "P1 mprotect heap readwrite\nP1 mmap sh 8 shared\nP1 mprotect sh readonly\n"
                    "P1 mprotect sh readwrite\n");
  REQUIRE(r.size() == 8);
  CHECK(r[3].empty());  // to read-only: write-protecting is as old as mprotect
  CHECK(r[4] == std::vector<NewRule>{NewRule::MprotectKeepsExclusiveWritable});
  CHECK(r[7].empty());  // shmem: writable at once on every kernel
}

TEST_CASE("a difference is put down only to rules used before it and newer than the kernel", "[rule_versions]") {
  std::vector<std::vector<NewRule>> per = {{}, {NewRule::MprotectKeepsExclusiveWritable}, {},
                                           {NewRule::HugeZeroWriteAllocatesThp}};
  CHECK(newer_rules_before(per, 0, {5, 10}).empty());  // before any new rule: a plain difference
  CHECK(newer_rules_before(per, 2, {5, 10}) == std::vector<NewRule>{NewRule::MprotectKeepsExclusiveWritable});
  CHECK(newer_rules_before(per, 3, {6, 12}) == std::vector<NewRule>{NewRule::HugeZeroWriteAllocatesThp});
  CHECK(newer_rules_before(per, 3, {5, 10}).size() == 2);
  CHECK(newer_rules_before(per, 3, {6, 18}).empty());  // the kernel cowlab models
  CHECK(newer_rules_before(per, 99, {6, 10}) == std::vector<NewRule>{NewRule::HugeZeroWriteAllocatesThp});
  CHECK(newer_rules_before(per, 99, {6, 14}).empty());  // 6.13 and 6.0: both older than 6.14
}

TEST_CASE("every rule names its function, its first release and what older kernels do", "[rule_versions]") {
  std::string d = describe(rule_version(NewRule::LargeFolioPageReuse), {6, 12});
  CHECK(d.find("__wp_can_reuse_large_anon_folio") != std::string::npos);
  CHECK(d.find("Linux 6.15") != std::string::npos);
  CHECK(d.find("this kernel is 6.12") != std::string::npos);
  for (const RuleVersion& v : kRuleVersions) {
    CHECK(rule_version(v.rule).function == v.function);
    CHECK(std::string(v.older).size() > 20);
    CHECK(KernelVersion{6, 18}.older_than(v.since) == false);  // the engine models 6.18: all apply there
  }
}
