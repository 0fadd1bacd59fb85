// The glossary: what each number the playground and the command line show means, with its
// formula, in one table. The web page's Help window lists it, its tooltips (headline,
// table headers, legend, /proc views) show one entry each, and `cowlab help glossary`
// prints it. The facts behind the words are in docs/kernel-rules.md ("Shared and Private
// count mappings, not the mapping type", "What Dirty means", "Reads of never-written
// private memory map the zero page", "File mappings and fault-around").
#pragma once
#include <span>
#include <string>
#include <string_view>

namespace cow {

struct GlossaryEntry {
  const char* key;      // "Pss": how tooltips name it
  const char* title;    // "Pss (proportional set size)"
  const char* text;     // the definition, with its formula and unit
  const char* aliases;  // other names that mean it, space-separated: "Pss_Dirty Pss_Anon"
};

// Every entry, in the order the Help window lists them.
std::span<const GlossaryEntry> glossary();

// The entry named `word` (its key or one of its aliases, as /proc and the tables spell
// them: "Shared_Dirty", "VmRSS", "frames used"); nullptr when none.
const GlossaryEntry* glossary_entry(std::string_view word);

// The whole glossary as plain text, wrapped at `width` columns (`cowlab help glossary`).
std::string glossary_text(size_t width = 80);

}  // namespace cow
