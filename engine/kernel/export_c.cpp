// export_c(): the script as a standalone C99 program (see export_c.h). The runtime is fixed
// text (runtime.c with protocol.h, see runtime_text.h); this file writes what comes before
// it (the script as a comment, the task count and names) and the scenario after it, one
// commented call per operation.
#include "engine/kernel/export_c.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "engine/kernel/plan.h"
#include "engine/kernel/runtime_text.h"
#include "engine/script/lines.h"
#include "engine/script/session.h"

namespace cow::kernel {

namespace {

std::string c_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\t' ? ' ' : c;
  }
  return out + "\"";
}

std::string hex(uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "0x%llxull", (unsigned long long)v);
  return buf;
}

// The script's source lines (script::split_lines), for comments and messages.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  for (std::string_view line : script::split_lines(text)) {
    while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
    lines.emplace_back(line);
  }
  return lines;
}

const char* madvise_name(Advice a) {
  switch (a) {
    case Advice::DontFork: return "MADV_DONTFORK";
    case Advice::DoFork: return "MADV_DOFORK";
    case Advice::WipeOnFork: return "MADV_WIPEONFORK";
    case Advice::KeepOnFork: return "MADV_KEEPONFORK";
    case Advice::DontNeed: return "MADV_DONTNEED";
    case Advice::HugePage: return "MADV_HUGEPAGE";
    case Advice::NoHugePage: return "MADV_NOHUGEPAGE";
  }
  return "MADV_NORMAL";
}

// The engine's address of a mapping (export-c never applies the sanitizer shift).
uint64_t plain_address(uint64_t kernel_base) { return kernel_base ? kernel_base - kernel_address(0) : 0; }

std::string op_call(const KOp& op, const std::string& what) {
  std::string t = std::to_string(op.task), w = c_string(what);
  switch (op.kind) {
    case KOpKind::File:
      return "make_file(" + std::to_string(op.file) + ", " + c_string(op.name) + ", " + std::to_string(op.pages) + ");";
    case KOpKind::Spawn: return "spawn(" + std::to_string(op.child) + ");";
    case KOpKind::Mmap: {
      std::string flags;
      auto flag = [&](bool on, const char* name) {
        if (on) flags += std::string(flags.empty() ? "" : " | ") + name;
      };
      flag(op.share == Share::Shared, "MAP_IS_SHARED");
      flag(op.backing == Backing::File, "MAP_IS_FILE");
      flag(op.prot == Prot::ReadOnly, "MAP_IS_READONLY");
      flag(op.noreserve, "MAP_IS_NORESERVE");
      if (flags.empty()) flags = "0";
      return "map_task(" + t + ", " + hex(plain_address(op.base)) + ", " + std::to_string(op.pages) + ", " + flags +
             ", " + (op.backing == Backing::File ? std::to_string(op.file) : "-1") + ", " + w + ");";
    }
    case KOpKind::Munmap: case KOpKind::Write: case KOpKind::Read: case KOpKind::Madvise: case KOpKind::Mprotect: {
      const char* name = op.kind == KOpKind::Munmap ? "OP_MUNMAP" : op.kind == KOpKind::Write ? "OP_WRITE"
                         : op.kind == KOpKind::Read ? "OP_READ" : op.kind == KOpKind::Madvise ? "OP_MADVISE"
                                                                                               : "OP_MPROTECT";
      std::string flags = op.kind == KOpKind::Madvise ? madvise_name(op.advice)
                          : op.kind == KOpKind::Mprotect
                              ? (op.protect == Prot::ReadOnly ? "PROT_READ" : "PROT_READ | PROT_WRITE")
                              : "0";
      std::string range = op.all ? "ALL_PAGES, 0" : std::to_string(op.first) + ", " + std::to_string(op.last);
      return "on_pages(" + t + ", " + name + ", " + hex(plain_address(op.base)) + ", " + std::to_string(op.pages) +
             ", " + range + ", " + flags + ", " + std::to_string(op.tag) + ", " + w + ");";
    }
    case KOpKind::Fork: case KOpKind::Vfork: case KOpKind::Thread: {
      const char* name = op.kind == KOpKind::Fork ? "OP_FORK" : op.kind == KOpKind::Vfork ? "OP_VFORK" : "OP_THREAD";
      return "fork_task(" + t + ", " + std::to_string(op.child) + ", " + name + ", " + w + ");";
    }
    case KOpKind::Exec: return "exec_task(" + t + ");";
    case KOpKind::Exit: return "exit_task(" + t + ", " + (op.thread_exit ? "1" : "0") + ");";
    case KOpKind::Show: return "";
  }
  return "";
}

// show_region() calls for every live process and every region it maps.
void show_calls(const Engine& e, const std::string& at, std::string& out) {
  for (ProcId q = 0; q < e.processes().size(); ++q) {
    if (!e.processes()[q].live()) continue;
    const AddressSpace& as = e.address_spaces()[e.processes()[q].mm];
    for (uint32_t m : as.region_mappings()) {
      NameId n = as.mappings[m].name;
      std::string bases, pages;
      int count = 0;
      for (uint32_t k = m; k < as.mappings.size(); ++k) {
        if (as.mappings[k].name != n || !as.maps_any(k)) continue;
        bases += std::string(count ? ", " : "") + hex(as.mappings[k].base_gib << 30);
        pages += std::string(count ? ", " : "") + std::to_string(as.mappings[k].pages);
        ++count;
      }
      out += "  show_region(" + c_string(at) + ", " + std::to_string(q) + ", " + c_string(e.name(n)) + ", " +
             std::to_string(count) + ", (const unsigned long long[]){" + bases + "}, (const unsigned[]){" + pages +
             "});\n";
    }
  }
}

// The scenario() function: the script, statement by statement, stepped in the engine to
// know addresses, tasks and when to wait for exits and vfork resumes.
std::string scenario(script::Session& s, const std::vector<std::string>& lines) {
  std::string out = "static void scenario(void) {\n";
  const script::Script& script = s.script();
  for (const script::Statement& st : script.statements) {
    std::string text = st.pos.line - 1 < int(lines.size()) ? lines[st.pos.line - 1] : "";
    size_t lead = text.find_first_not_of(" \t");
    text = lead == std::string::npos ? "" : text.substr(lead);
    std::vector<ProcState> before;
    for (const Process& p : s.engine().processes()) before.push_back(p.state);
    if (!s.step()) break;
    const Engine& e = s.engine();
    out += "  /* line " + std::to_string(st.pos.line) + ": " + text + " */\n";
    for (const KOp& op : plan_statement(st, e)) {
      if (op.kind == KOpKind::Show)
        show_calls(e, "show line " + std::to_string(st.pos.line), out);
      else
        out += "  " + op_call(op, text) + "\n";
    }
    for (ProcId q = 0; q < before.size(); ++q) {
      bool was_live = before[q] == ProcState::Running || before[q] == ProcState::Suspended;
      if (was_live && !e.processes()[q].live()) out += "  wait_gone(" + std::to_string(q) + ");\n";
      if (before[q] == ProcState::Suspended && e.processes()[q].state == ProcState::Running)
        out += "  wait_resumed(" + std::to_string(q) + ");  /* its vfork child exec'ed or exited */\n";
    }
  }
  out += "  /* end of script */\n";
  show_calls(s.engine(), "end", out);
  return out + "}\n";
}

std::string header(const std::string& path, const std::vector<std::string>& lines, const Engine& e) {
  std::string out =
      "/* Generated by `cowlab export-c " + path + "`.\n"
      " *\n"
      " * The script below, performed by real Linux processes: one task per script process\n"
      " * (fork, vfork, pthreads, mmap, munmap, madvise, mprotect, exec, _exit), each waiting\n"
      " * on a pipe; a driver hands them one statement at a time, so the order is the script's.\n"
      " * Regions sit at fixed addresses from 1 TiB with MADV_NOHUGEPAGE; files are real files\n"
      " * on a disk filesystem; every task runs on one CPU.\n"
      " *\n"
      " * Build and run (any Linux, no root needed):\n"
      " *   cc -O2 scenario.c -lpthread -o scenario && ./scenario\n"
      " * At each `show` and at the end it prints, for every live process, the numbers\n"
      " * /proc/PID/smaps gives for the script's own regions: sizes in 4 KiB pages, Pss in kB\n"
      " * (smaps truncates it). Compare with `cowlab run " + path + "`, or with\n"
      " * `cowlab validate --smaps-lines " + path + "`, which prints these very lines.\n"
      " *\n"
      " * The script:\n";
  for (const std::string& l : lines) {
    std::string safe = l;
    for (size_t i = 0; (i = safe.find("*/", i)) != std::string::npos;) safe.replace(i, 2, "* /");
    out += " *   " + safe + "\n";
  }
  while (out.size() > 6 && out.compare(out.size() - 6, 6, " *   \n") == 0) out.resize(out.size() - 6);
  out += " */\n";
  size_t n = e.processes().size();
  out += "#define NTASKS " + std::to_string(n) + "\n";
  out += "#define NFILES " + std::to_string(e.files().size()) + "\n";
  out += "#define FD_BASE " + std::to_string(2 * n + 32) + "  /* task t's pipes: FD_BASE + 2t, FD_BASE + 2t + 1 */\n";
  out += "static const char *task_names[NTASKS] = {";
  for (size_t i = 0; i < n; ++i) out += std::string(i ? ", " : "") + c_string(e.processes()[i].name);
  return out + "};\n";
}

}  // namespace

}  // namespace cow::kernel

namespace cow::kernel {

ExportedC export_c(const std::string& text, const std::string& path) {
  ExportedC r;
  script::Session dry;
  bool parsed = dry.load(text);
  if (parsed) dry.run_all();
  if (dry.error()) {
    r.status = 2;
    r.pos = dry.error()->pos;
    r.message = dry.error()->message;
    return r;
  }
  if (auto no = check_expressible(dry, &r.notes)) {
    r.status = 3;
    r.pos = no->pos;
    r.message = "cannot export: " + no->message;
    return r;
  }
  if (dry.engine().processes().size() > kMaxExportTasks) {
    r.status = 3;
    r.message = "cannot export: more than " + std::to_string(kMaxExportTasks) + " tasks";
    return r;
  }
  std::vector<std::string> lines = lines_of(text);
  script::Session s;
  s.load(text);
  r.program = header(path, lines, dry.engine());
  r.program += "\n";
  r.program += kRuntimeText;
  r.program += "\n/* ======================= the scenario ======================= */\n\n";
  r.program += scenario(s, lines);
  r.status = 0;
  return r;
}

}  // namespace cow::kernel
