// The engine's rules that are newer than some kernels: cowlab models Linux 6.18, and a
// few of its rules arrived in recent releases. On an older kernel `cowlab validate`
// names the rule a difference comes from instead of reporting it plainly.
//
// One table (kRuleVersions) gives each such rule, the Linux function that carries it, the
// first release with it and what older kernels do instead; docs/kernel-rules.md,
// "Rules newer than some kernels", says where the versions come from. Which rules a
// statement used is read from the engine's events (the fault reasons, an mprotect back to
// writable of a private mapping). Simplified: a difference after a rule's first use is put down to the rule,
// not proven to come from it. Pure: no I/O.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/mm/engine.h"

namespace cow::kernel {

struct KernelVersion {
  int major = 0, minor = 0;
  bool older_than(KernelVersion v) const { return major != v.major ? major < v.major : minor < v.minor; }
  std::string text() const { return std::to_string(major) + "." + std::to_string(minor); }
};

// "6.12.0-rc3-amd64" -> 6.12; nullopt when the text does not start with "N.N".
std::optional<KernelVersion> parse_release(const std::string& release);

enum class NewRule : uint8_t {
  MprotectKeepsExclusiveWritable,  // mprotect back to writable: anon-exclusive PTEs writable at once
  HugeZeroWriteAllocatesThp,       // a write to the huge zero page allocates a whole THP
  LargeFolioPageReuse,             // a page of a PTE-mapped THP this mm alone maps is reused
};

struct RuleVersion {
  NewRule rule;
  KernelVersion since;   // the first release with the rule
  const char* function;  // where Linux has it
  const char* what;      // the rule, as the engine applies it
  const char* older;     // what kernels before `since` do instead
};

extern const std::vector<RuleVersion> kRuleVersions;
const RuleVersion& rule_version(NewRule r);

// The rules of kRuleVersions that `events` (one statement's, just run on `e`) use, each
// once, in table order.
std::vector<NewRule> rules_used(const Engine& e, const std::vector<Event>& events);

// The rules first used at or before statement `upto` (indices into `per_statement`, the
// rules_used of each statement) that are newer than `kernel`: what a difference seen
// after statement `upto` may come from.
std::vector<NewRule> newer_rules_before(const std::vector<std::vector<NewRule>>& per_statement, size_t upto,
                                        KernelVersion kernel);

// "a write to the huge zero page allocates a whole THP (do_huge_zero_wp_pmd, Linux 6.13;
// this kernel is 6.12: older kernels ...)".
std::string describe(const RuleVersion& r, KernelVersion kernel);

}  // namespace cow::kernel
