// The pipe protocol between the `cowlab validate` driver and its worker tasks: one real
// Linux task (process, thread or vfork child) per script task, each blocked reading its
// own command pipe. The driver writes one Command, the task performs it with real system
// calls and answers one Reply, so the kernel sees the script's order exactly.
//
// Each task's pipes sit at fixed descriptor numbers, fd_base + 2 * task (commands in)
// and fd_base + 2 * task + 1 (replies out), in every worker. fork, vfork, threads and
// exec keep descriptors, so a task created later already holds its pipes. Both structs
// are under PIPE_BUF, so each write is atomic.
#pragma once
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace cow::kernel {

enum class WorkerOp : uint32_t {
  Mmap = 1, Munmap, Write, Read, Madvise, Mprotect,
  Fork, Vfork, Thread, Exec, ExitGroup, ExitThread,
};

// Command::flags for Mmap.
constexpr uint32_t kMapShared = 1, kMapFile = 2, kMapReadOnly = 4;

struct Command {
  WorkerOp op = WorkerOp::Write;
  uint32_t child = 0;      // Fork / Vfork / Thread: the new task's id
  uint64_t base = 0;       // the mapping's address; 0 = not mapped in this task
  uint32_t pages = 0;      // the original mapping's size
  uint32_t all = 0;        // 1: every page still mapped (first/last unused)
  uint32_t first = 0, last = 0;
  uint32_t flags = 0;      // Mmap: kMap*; Madvise: MADV_*; Mprotect: PROT_*
  uint32_t tag = 0;        // Write: stored in each page's first word
  char path[512] = {};     // Mmap of a file
};

enum class ReplyKind : int32_t { Ok = 1, Ready, Error };

constexpr uint32_t kMaxReadTags = 800;

struct Reply {
  ReplyKind kind = ReplyKind::Ok;
  int32_t err = 0;         // errno of the failed call (Error)
  int32_t tid = 0;         // Ready: the task's kernel tid; Fork/Vfork: the child's pid
  uint32_t touched = 0;    // Read / Write: pages touched
  uint32_t ntags = 0;      // Read: tags of the first ntags pages touched
  uint32_t tags[kMaxReadTags] = {};
};
static_assert(sizeof(Reply) <= 4096 && sizeof(Command) <= 4096, "pipe writes must be atomic");

// Environment variable that turns an exec'ed cowlab into worker `task:fd_base`.
constexpr const char* kWorkerEnv = "COWLAB_VALIDATE_WORKER";

// Runs task `task` of a validate run: sends Ready, then serves commands until exit.
[[noreturn]] void worker_main(uint32_t task, int fd_base);

// Whole messages over the pipes: retried on EINTR and short transfers; false at end of
// file or on an error. Async-signal-safe (the worker calls read_full in vfork children).
inline bool read_full(int fd, void* buf, size_t n) {
  char* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= size_t(r);
  }
  return true;
}

inline bool write_full(int fd, const void* buf, size_t n) {
  const char* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

}  // namespace cow::kernel
