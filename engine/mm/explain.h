// Events and pages as sentences: which Linux handlers a fault ran through and why, what
// fork did with each VMA (vma_needs_copy), what a page's PTE says now and what the next
// write to it would do. `cowlab run --explain`, the JSON and the web page show these same
// sentences; every word and number in them is read from the events and the engine state.
//
//   C1 write heap[0-15]: handle_pte_fault → do_wp_page → wp_page_copy: anonymous,
//   mapcount 2: copied each to a new frame; PTE frames 0-15 read-only dirty → frames
//   64-79 writable dirty; mapcount 2 → 1
//
// "mapcount a → b" is the mapcount of the frame the PTE maps before the fault (0 when it
// maps none, or the zero page, which is never counted) and of the frame it maps after.
#pragma once
#include <string>
#include <vector>

#include "engine.h"
#include "pagemap.h"

namespace cow {

std::string range_text(uint32_t first, uint32_t n);  // "3", or "0-15" for n pages from 0
std::string frames_text(FrameId first, uint32_t n);  // "frame 3", "frames 0-15", "zero page"
std::string path_text(const HandlerPath& path);      // "handle_pte_fault → do_wp_page → ..."
// A PTE (the first of a run of n): "not present", "zero page, read-only",
// "frames 64-79 writable dirty".
std::string pte_text(Pte first, uint32_t n);
// Why: for a fault, its reason with the numbers it rests on ("anonymous, mapcount 2",
// "last mapper (mapcount 1)"); for ForkVma, the decision's reason. "" otherwise.
std::string reason_text(const Engine& e, const Event& ev);

// The questions Linux's fault handlers ask on the way to a decision, and how a fault's
// event answers them (the web page draws them as a diagram): is the PTE present
// (handle_pte_fault), is it a write, is the mapping private (do_fault, do_wp_page), can
// the frame be reused in place (wp_can_reuse_anon_folio). A question the fault never
// reached is NotAsked.
enum class Answer : uint8_t { NotAsked, No, Yes };
struct FaultDecisions {
  Answer present = Answer::NotAsked, write = Answer::NotAsked, private_mapping = Answer::NotAsked,
         reusable = Answer::NotAsked;
};
// For a page access (Event::is_page_access); all NotAsked for other events.
FaultDecisions fault_decisions(const Engine& e, const Event& ev);

// The one-sentence explanation of an event; other events get Engine::describe's line.
std::string explain(const Engine& e, const Event& ev);

// The same event told in plain words, for the first page of its run, as a teacher would
// say it: "C1 wrote heap[3]. Its PTE was present but read-only, in a private mapping: a
// COW fault. Frame 3 is anonymous and mapped twice, so it cannot be reused. The kernel
// took frame 67, copied 4 KiB into it, pointed C1's PTE at it (writable, dirty) and
// dropped frame 3's mapcount to 1." Events other than page accesses get explain().
std::string story(const Engine& e, const Event& ev);

// What --explain prints for one statement's events, a sentence each. fork's totals
// (PtesCopied, WriteProtect) are left out when the per-VMA events that add up to them
// are there.
std::vector<std::string> explain_events(const Engine& e, const std::vector<Event>& events);

// A page's state and what the next write to it does, then the last event that changed
// it (`last`, may be null): "C1 heap[3] at 0x10000003000: frame 3 (anon, mapcount 2),
// read-only, dirty: COW, a write copies it (wp_page_copy). Last: ...".
std::string explain_page(const Engine& e, ProcId p, NameId region, const PageEntry& pe, const Event* last);

// A page as the page map's tooltip tells it, in smaps' words and with the reason for
// each (pure: from `pe` alone), one line per '\n':
//   anonymous page, private mapping; counted as Shared_Dirty because its frame is mapped
//   twice (mapcount 2)
//   frame 3, PTE read-only, dirty; adds 1/2 page to Pss
//   next: a read does not fault; COW: a write copies it (wp_page_copy)
// "Shared" and "Private" are smaps' (mapcount >= 2 or 1), never the mapping type, and
// always come with the mapcount they rest on.
std::string page_summary(const PageEntry& pe);

// A physical frame as the Physical memory panel's tooltip tells it: its kind, mapcount,
// and how the smaps of each mapper count it ("mapcount 2: each mapper counts it as
// Shared_Dirty and 1/2 page of Pss").
std::string frame_summary(const Frame& fr);

}  // namespace cow
