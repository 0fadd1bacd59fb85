// The glossary's table (glossary.h). Plain ASCII: the web page's built-in font has no
// symbols beyond Latin-1, so ">=" and "sum of" rather than their signs.
#include "glossary.h"

namespace cow {

namespace {

constexpr GlossaryEntry kEntries[] = {
    {"page", "page (the unit of every count)",
     "4 KiB of a process's virtual memory. Every count in the playground is in pages unless it says kB: "
     "/proc shows kB, 1 page = 4 kB.",
     "pages"},
    {"frame", "frame (physical page)",
     "4 KiB of RAM, numbered from 0 (the Physical memory panel). A page's PTE points to a frame; several PTEs may "
     "point to the same one.",
     "frames"},
    {"not present", "not present",
     "The page has no frame: no PTE yet, or it was unmapped (madvise dontneed). It counts nowhere; the next touch "
     "faults.",
     ""},
    {"mapcount", "mapcount",
     "How many PTEs map a frame (Linux: the folio's mapcount). After fork the parent and the child both map each "
     "anonymous frame: mapcount 2. Threads share one page table, so they count once. The zero page has none.",
     ""},
    {"Rss", "Rss (resident set size)",
     "The pages of a process that are present, mapped by its page tables, each counted once however many others "
     "map it. Rss = Shared + Private = Anon + File + Shmem. The zero page is not counted. Unit: pages (/proc: kB).",
     "VmRSS RSS"},
    {"Pss", "Pss (proportional set size)",
     "Each present page counts 1/mapcount: Pss = sum over its pages of 1/mapcount. A page mapped by 2 processes "
     "adds 0.5 to each. Summed over all processes, Pss gives the frames they map, counted once. Unit: pages "
     "(/proc: kB, truncated).",
     "PSS Pss_Dirty Pss_Anon Pss_File Pss_Shmem"},
    {"USS", "USS (unique set size)",
     "The pages only this process maps: USS = Private = pages with mapcount 1. What exiting would give back "
     "(page-cache pages stay cached). Unit: pages (smem: kB).",
     ""},
    {"Shared", "Shared (smaps Shared_Clean + Shared_Dirty)",
     "Pages whose frame has mapcount >= 2, whatever the mapping type. A MAP_PRIVATE page after fork, mapped by "
     "parent and child, is Shared; a MAP_SHARED page that one process alone maps is Private. Unit: pages.",
     "Shared_Clean Shared_Dirty"},
    {"Private", "Private (smaps Private_Clean + Private_Dirty)",
     "Pages whose frame has mapcount 1: only this PTE maps it, whatever the mapping type (MAP_SHARED included). "
     "Private = USS. Unit: pages.",
     "Private_Clean Private_Dirty"},
    {"Dirty", "Clean and Dirty",
     "Dirty: the page was written through its PTE, or its frame is dirty (anonymous frames made by a write, a "
     "page-cache page written through a shared mapping). Clean: unchanged since it was read from the file, or "
     "never written. Shared_Dirty, Private_Dirty and Pss_Dirty count the dirty ones.",
     "Clean"},
    {"Anon", "Anon (anonymous pages)",
     "Pages of anonymous frames: memory with no file behind it (heap, stack, copies made by COW). The zero page "
     "is not counted. smaps: Anonymous; status: RssAnon. Unit: pages.",
     "Anonymous RssAnon anonymous"},
    {"File", "File (page cache)",
     "Pages of page-cache frames: a file's data, kept by the kernel and mapped by file mappings. A write through a "
     "private file mapping copies the page into a new anonymous frame; the file's page stays in the cache. "
     "status: RssFile. Unit: pages.",
     "RssFile page-cache"},
    {"Shmem", "Shmem (shared memory)",
     "Pages of shmem frames: shared anonymous mappings (mmap MAP_SHARED|MAP_ANONYMOUS). Never copied on write; "
     "a read allocates a real zeroed frame. status: RssShmem. Unit: pages.",
     "RssShmem shmem"},
    {"zero page", "the zero page",
     "One read-only frame of zeros. A read of never-written private anonymous memory maps it instead of a new "
     "frame; it has no mapcount and counts in neither Rss nor Pss. The first write gets a zeroed frame of its own "
     "(a zero fill, not a copy).",
     "zero"},
    {"fault-around", "fault-around",
     "A read fault on a file or shmem mapping maps up to 16 pages (64 KiB) of the page cache at once, not only the "
     "page touched (do_fault_around): Rss grows by the window. One fault, counted in file maps for every page.",
     ""},
    {"file maps", "file maps",
     "Page-cache and shmem pages mapped by faults: every page of a fault-around window, and one for a write "
     "fault on a shared mapping.",
     "file_maps"},
    {"COW", "copy-on-write (COW)",
     "fork gives the child the parent's PTEs, both write-protected. The first write to such a page faults: "
     "if its frame has mapcount >= 2 it is copied to a new frame (COW copy), if the writer is the last mapper "
     "(mapcount 1) it is made writable in place (reuse).",
     "write-protected"},
    {"Rss bars", "Rss bars (Processes panel)",
     "Two bars per process, as long as its Rss (the longest bar = the largest Rss). Top: Shared (blue, "
     "mapcount >= 2) | Private (green, mapcount 1). Bottom: Anon | File | Shmem. Hover a bar for its numbers.",
     ""},
    {"frames used", "frames used",
     "Frames in use: anonymous, page cache and shmem. frames used = RAM frames - free. Unit: frames (4 KiB).",
     "frames_used"},
    {"frames shared", "shared frames",
     "Frames with mapcount >= 2 (any kind). Unit: frames.", "frames_shared"},
    {"frames private", "private frames",
     "Frames with mapcount 1 (any kind). Frames mapped by no PTE (page cache nobody maps) are neither shared nor "
     "private. Unit: frames.",
     "frames_private"},
    {"frames free", "free frames", "Frames holding nothing: RAM frames - frames used. Unit: frames.",
     "frames_free free"},
    {"faults", "faults",
     "Page faults handled, read and write (Linux: min_flt). A read that maps a fault-around window is one fault.",
     ""},
    {"COW copies", "COW copies",
     "Write faults that copied a page into a new anonymous frame (wp_page_copy, do_cow_fault): the frame had "
     "mapcount >= 2, or belonged to a file.",
     "cow_copies"},
    {"reuses", "reuses",
     "Write faults on a write-protected anonymous page whose writer was its last mapper (mapcount 1): made "
     "writable in place, no copy (wp_page_reuse).",
     "cow_reuses"},
    {"zero fills", "zero fills",
     "Frames allocated zeroed by a fault: the first write to private anonymous memory (or to the zero page), the "
     "first touch of shmem.",
     "zero_fills"},
    {"zero-page maps", "zero-page maps", "Read faults that mapped the zero page instead of a frame.",
     "zero_page_maps"},
    {"PTEs copied", "PTEs copied",
     "Page-table entries fork copied into children: the cost of fork is page tables, not pages.",
     "ptes_copied"},
    {"fork failures", "fork failures", "Forks refused with ENOMEM (eager-copy mode only).", "fork_failures"},
    {"OOM kills", "OOM kills", "Processes killed by the out-of-memory killer when no frame was left.", "oom_kills"},
    {"segfaults", "segfaults", "Processes killed by SIGSEGV (a write to a read-only mapping).", ""},
    {"Swap", "Swap", "Pages swapped out. Always 0: the playground has no swap.", ""},
    {"Size", "Size", "The size of the mapping (VMA), present or not, in kB.", "VmSize"},
    {"VmPTE", "VmPTE", "Memory taken by the process's page tables, in kB (4 kB per PTE table).", ""},
    {"AnonHugePages", "AnonHugePages",
     "Anonymous pages in transparent huge pages (2 MiB) mapped by one PMD, in kB.", ""},
    {"Referenced", "Referenced", "Pages recently accessed. Here equal to Rss: every mapped page was just touched.",
     ""},
};

bool has_word(std::string_view list, std::string_view word) {
  while (!list.empty()) {
    size_t space = list.find(' ');
    if (list.substr(0, space) == word) return true;
    if (space == std::string_view::npos) break;
    list.remove_prefix(space + 1);
  }
  return false;
}

// Appends `text` indented by 2 and wrapped at `width` columns.
void append_wrapped(std::string& out, std::string_view text, size_t width) {
  size_t col = 2;
  bool first = true;
  out += "  ";
  while (!text.empty()) {
    size_t space = text.find(' ');
    std::string_view word = text.substr(0, space);
    if (!first && col + 1 + word.size() > width) {
      out += "\n  ";
      col = 2;
    } else if (!first) {
      out += ' ';
      ++col;
    }
    first = false;
    out += word;
    col += word.size();
    text.remove_prefix(space == std::string_view::npos ? text.size() : space + 1);
  }
  out += '\n';
}

}  // namespace

std::span<const GlossaryEntry> glossary() { return kEntries; }

const GlossaryEntry* glossary_entry(std::string_view word) {
  for (const GlossaryEntry& g : kEntries)
    if (word == g.key || has_word(g.aliases, word)) return &g;
  return nullptr;
}

std::string glossary_text(size_t width) {
  std::string out;
  for (const GlossaryEntry& g : kEntries) {
    out += g.title;
    out += '\n';
    append_wrapped(out, g.text, width);
  }
  return out;
}

}  // namespace cow
