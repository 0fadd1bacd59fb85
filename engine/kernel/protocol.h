/* The pipe protocol between a driver and its worker tasks: one real Linux task (process,
 * thread or vfork child) per script task, each blocked reading its own command pipe. The
 * driver writes one struct command; the task performs it with real system calls and
 * answers one struct reply, so the kernel sees the script's order exactly.
 *
 * Spoken by `cowlab validate` (shell/kernel/driver.cpp and worker.cpp include this file)
 * and by every program `cowlab export-c` writes (runtime.c, whose text such a program
 * carries, includes it). Valid C99 and C++; the engine itself never includes it.
 *
 * Task t's pipes sit at fixed descriptor numbers in every task: fd_base + 2t (commands
 * in) and fd_base + 2t + 1 (replies out). fork, vfork, threads and exec keep descriptors,
 * so a task created later already holds its pipes. */
#ifndef COWLAB_KERNEL_PROTOCOL_H
#define COWLAB_KERNEL_PROTOCOL_H
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#ifdef __cplusplus
namespace cow::kernel {
#endif

/* What a task is asked to do (command.op). */
enum task_op {
  OP_MMAP = 1, OP_MUNMAP, OP_WRITE, OP_READ, OP_MADVISE, OP_MPROTECT,
  OP_FORK, OP_VFORK, OP_THREAD, OP_EXEC, OP_EXIT_GROUP, OP_EXIT_THREAD
};

/* command.flags of OP_MMAP. OP_MADVISE takes a MADV_* advice, OP_MPROTECT PROT_* bits. */
/* MAP_IS_HUGE: madvise(MADV_HUGEPAGE) after mapping (transparent huge pages); without it
 * the region gets MADV_NOHUGEPAGE, 4 KiB pages as the playground models by default.
 * MAP_IS_NORESERVE: mmap with MAP_NORESERVE (`mmap ... noreserve`): no commit charge,
 * unless the machine's vm.overcommit_memory is 2, where Linux ignores the flag. */
enum { MAP_IS_SHARED = 1, MAP_IS_FILE = 2, MAP_IS_READONLY = 4, MAP_IS_HUGE = 8, MAP_IS_NORESERVE = 16 };

/* command.first: every page of the region the task still maps (last is unused). */
#define ALL_PAGES 0xffffffffu

struct command {
  uint32_t op;           /* enum task_op */
  uint32_t child;        /* OP_FORK, OP_VFORK, OP_THREAD: the new task */
  uint64_t base;         /* the region's address in this task (0: the task never had it) */
  uint32_t pages;        /* the region's size in 4 KiB pages, as it was mapped */
  uint32_t first, last;  /* the pages acted on, or first == ALL_PAGES */
  uint32_t flags;
  uint32_t tag;          /* OP_WRITE: what each page's first word receives */
  char path[512];        /* OP_MMAP of a file */
};

/* reply.kind. A new task sends REPLY_READY once, before it reads its first command. */
enum { REPLY_OK = 1, REPLY_READY, REPLY_ERROR };

#define MAX_READ_TAGS 800

/* reply.faults when the task's count was not measured (fork, vfork, thread, exec, exit). */
#define FAULTS_UNMEASURED 0xffffffffu

struct reply {
  int32_t kind;
  int32_t err;       /* REPLY_ERROR: errno of the failed call */
  int32_t tid;       /* REPLY_READY: the task's kernel tid; OP_FORK, OP_VFORK: the child's pid */
  uint32_t touched;  /* OP_READ, OP_WRITE: pages touched */
  uint32_t faults;   /* page faults the task took in the operation alone, or FAULTS_UNMEASURED */
  uint32_t ntags;    /* OP_READ: the first word of the first ntags pages read, in tags[] */
  /* Committed_AS (kB, /proc/meminfo) when the task took the command and when it was done,
   * so that the window another process's allocation can fall into is this one command
   * alone. Read by `cowlab validate`'s workers only (0: not read; export-c's programs),
   * which also answer OP_EXIT_* just before they exit, with committed_before alone. */
  int64_t committed_before, committed_after;
  uint32_t tags[MAX_READ_TAGS];
};

/* Both fit in PIPE_BUF (4096 bytes on Linux), so each write of one is atomic. */
typedef char command_fits_in_pipe_buf[sizeof(struct command) <= 4096 ? 1 : -1];
typedef char reply_fits_in_pipe_buf[sizeof(struct reply) <= 4096 ? 1 : -1];

static inline int command_fd(int fd_base, int task) { return fd_base + 2 * task; }
static inline int reply_fd(int fd_base, int task) { return fd_base + 2 * task + 1; }

/* Moves n bytes through fd, retrying on EINTR and short transfers. 1 when all moved, 0 at
 * end of file or on an error. Async-signal-safe: vfork children call it. */
enum transfer { TRANSFER_READ, TRANSFER_WRITE };
static inline int transfer_full(int fd, char *p, size_t n, enum transfer way) {
  while (n > 0) {
    ssize_t done = way == TRANSFER_READ ? read(fd, p, n) : write(fd, p, n);
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) return 0;
    p += done, n -= (size_t)done;
  }
  return 1;
}

/* One whole message: 1 when done, 0 at end of file or on an error. */
static inline int read_full(int fd, void *buf, size_t n) { return transfer_full(fd, (char *)buf, n, TRANSFER_READ); }
static inline int write_full(int fd, const void *buf, size_t n) {
  return transfer_full(fd, (char *)buf, n, TRANSFER_WRITE);
}

#ifdef __cplusplus
}  /* namespace cow::kernel */
#endif
#endif /* COWLAB_KERNEL_PROTOCOL_H */
