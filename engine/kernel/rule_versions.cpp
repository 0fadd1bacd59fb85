#include "engine/kernel/rule_versions.h"

#include <algorithm>
#include <cctype>

namespace cow::kernel {

// The releases: the first mainline release after each change was merged (see
// docs/kernel-rules.md, "Rules newer than some kernels"; not measured on those kernels).
const std::vector<RuleVersion> kRuleVersions = {
    {NewRule::MprotectKeepsExclusiveWritable, {6, 0}, "can_change_pte_writable",
     "mprotect back to writable makes the PTEs of anonymous pages this mm alone maps writable at once",
     "older kernels leave them write-protected, so the next write to each page faults once and reuses it"},
    {NewRule::HugeZeroWriteAllocatesThp, {6, 13}, "do_huge_zero_wp_pmd",
     "a write to the huge zero page allocates a whole THP, one fault",
     "older kernels split the huge zero PMD and give the written 4 KiB page a frame of its own; the other 511 "
     "stay on the zero page"},
    {NewRule::LargeFolioPageReuse, {6, 15}, "__wp_can_reuse_large_anon_folio",
     "a write to a page of a PTE-mapped THP that this mm alone maps reuses the page",
     "older kernels copy every page of a PTE-mapped THP on a write fault"},
};

const RuleVersion& rule_version(NewRule r) {
  for (const RuleVersion& v : kRuleVersions)
    if (v.rule == r) return v;
  return kRuleVersions.front();  // unreachable: every NewRule has a row
}

std::optional<KernelVersion> parse_release(const std::string& release) {
  KernelVersion v;
  size_t i = 0;
  auto number = [&](int* out) {
    size_t start = i;
    int n = 0;
    while (i < release.size() && std::isdigit(static_cast<unsigned char>(release[i])) && i - start < 6)
      n = n * 10 + (release[i++] - '0');
    *out = n;
    return i > start;
  };
  if (!number(&v.major) || i >= release.size() || release[i++] != '.' || !number(&v.minor)) return std::nullopt;
  return v;
}

// An mprotect back to writable of a shared mapping follows rules older than any kernel
// validate runs on; of a private one, the anon-exclusive rule.
static bool private_mapping(const Engine& e, ProcId p, NameId region) {
  if (p >= e.processes().size() || e.processes()[p].mm >= e.address_spaces().size()) return false;
  const AddressSpace& as = e.address_spaces()[e.processes()[p].mm];
  uint32_t m = as.find_mapping(region);
  return m != kNone && as.mappings[m].share == Share::Private;
}

static std::optional<NewRule> rule_of(const Engine& engine, const Event& e) {
  if (e.kind == EventKind::Mprotect && e.count == uint32_t(Prot::ReadWrite) && private_mapping(engine, e.proc, e.region))
    return NewRule::MprotectKeepsExclusiveWritable;
  if (e.reason == FaultReason::HugeZeroPage) return NewRule::HugeZeroWriteAllocatesThp;
  if (e.reason == FaultReason::FolioExclusive) return NewRule::LargeFolioPageReuse;
  return std::nullopt;
}

std::vector<NewRule> rules_used(const Engine& engine, const std::vector<Event>& events) {
  std::vector<NewRule> used;
  for (const RuleVersion& v : kRuleVersions)
    if (std::any_of(events.begin(), events.end(), [&](const Event& e) { return rule_of(engine, e) == v.rule; }))
      used.push_back(v.rule);
  return used;
}

std::vector<NewRule> newer_rules_before(const std::vector<std::vector<NewRule>>& per_statement, size_t upto,
                                        KernelVersion kernel) {
  std::vector<NewRule> out;
  for (const RuleVersion& v : kRuleVersions) {
    if (!kernel.older_than(v.since)) continue;
    for (size_t i = 0; i <= upto && i < per_statement.size(); ++i)
      if (std::find(per_statement[i].begin(), per_statement[i].end(), v.rule) != per_statement[i].end()) {
        out.push_back(v.rule);
        break;
      }
  }
  return out;
}

std::string describe(const RuleVersion& r, KernelVersion kernel) {
  return std::string(r.what) + " (" + r.function + ", Linux " + r.since.text() + "; this kernel is " +
         kernel.text() + ": " + r.older + ")";
}

}  // namespace cow::kernel
