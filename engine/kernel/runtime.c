/* The fixed part of every program `cowlab export-c` writes: one real Linux task per script
 * task, each blocked reading its own pipe, and a driver that hands them one operation at a
 * time and waits, speaking the protocol of protocol.h (whose text stands where this file
 * includes it). Plain C99 with Linux's system calls.
 *
 * What comes before this text (NTASKS, NFILES, FD_BASE, task_names[]) and the scenario()
 * function after it are written for each script by engine/kernel/export_c.cpp. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif

/* ======================= the runtime: one real task per script task ======================= */

#define PAGE 4096ull
#define STACK_BYTES (256 * 1024)
#define STEP static __attribute__((unused)) /* the driver calls a scenario may leave unused */

static void scenario(void);

/* ---- the worker side. It also runs in vfork children, which share their parent's memory
   and thread-local storage: so it allocates nothing and makes system calls only. ---- */

static void answer(int task, int kind, int err, int tid) {
  struct reply r;
  memset(&r, 0, sizeof r);
  r.kind = kind, r.err = err, r.tid = tid;
  if (!write_full(reply_fd(FD_BASE, task), &r, sizeof r)) syscall(SYS_exit_group, 1);
}

static int page_mapped(unsigned long long addr) {
  unsigned char v;
  return mincore((void *)addr, PAGE, &v) == 0; /* ENOMEM: nothing mapped there */
}

/* A read or a write of one page. An unmapped or read-only page kills the task (SIGSEGV). */
static void touch(unsigned long long addr, int write, unsigned tag) {
  volatile unsigned *word = (volatile unsigned *)addr;
  if (write)
    *word = tag;
  else
    (void)*word;
}

static void access_pages(const struct command *c, int write) {
  static volatile unsigned long long nowhere = 0;
  unsigned long long p;
  int any = 0;
  if (c->base == 0) touch(nowhere, write, c->tag); /* the task never had this region */
  if (c->first != ALL_PAGES) {
    for (p = c->first; p <= c->last; ++p) touch(c->base + p * PAGE, write, c->tag);
    return;
  }
  for (p = 0; p < c->pages; ++p)
    if (page_mapped(c->base + p * PAGE)) touch(c->base + p * PAGE, write, c->tag), any = 1;
  if (!any) touch(c->base, write, c->tag);
}

/* madvise or mprotect on each run of mapped pages in the range. */
static int range_call(const struct command *c) {
  unsigned first = c->first == ALL_PAGES ? 0 : c->first, last = c->first == ALL_PAGES ? c->pages - 1 : c->last;
  unsigned long long p, run = ~0ull;
  int rc = 0;
  for (p = first; p <= (unsigned long long)last + 1; ++p) {
    int mapped = p <= last && page_mapped(c->base + p * PAGE);
    if (mapped && run == ~0ull) run = p;
    if (!mapped && run != ~0ull) {
      void *at = (void *)(c->base + run * PAGE);
      size_t len = (size_t)(p - run) * PAGE;
      if ((c->op == OP_MADVISE ? madvise(at, len, c->flags) : mprotect(at, len, c->flags)) != 0) rc = -1;
      run = ~0ull;
    }
  }
  return rc;
}

static int map_region(const struct command *c) {
  int fd = -1, prot = (c->flags & MAP_IS_READONLY) ? PROT_READ : PROT_READ | PROT_WRITE;
  int flags = ((c->flags & MAP_IS_SHARED) ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED_NOREPLACE |
              ((c->flags & MAP_IS_FILE) ? 0 : MAP_ANONYMOUS) | ((c->flags & MAP_IS_NORESERVE) ? MAP_NORESERVE : 0);
  size_t len = (size_t)c->pages * PAGE;
  void *got;
  if ((c->flags & MAP_IS_FILE) && (fd = open(c->path, O_RDWR)) < 0) return -1;
  got = mmap((void *)c->base, len, prot, flags, fd, 0);
  if (fd >= 0) close(fd);
  if (got == MAP_FAILED) return -1;
  if (got != (void *)c->base) return munmap(got, len), errno = EEXIST, -1;
  return madvise(got, len, (c->flags & MAP_IS_HUGE) ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
}

static void serve(int task) __attribute__((noreturn));

static int vfork_child(void *arg) { serve(*(int *)arg); }
static void *thread_main(void *arg) { serve((int)(intptr_t)arg); }

static void exec_self(int task) {
  char number[16], *argv[4];
  snprintf(number, sizeof number, "%d", task);
  argv[0] = "scenario", argv[1] = "--worker", argv[2] = number, argv[3] = NULL;
  execv("/proc/self/exe", argv); /* the new image serves the same task, from scratch */
}

/* Creates task c->child: fork, vfork (clone(CLONE_VM|CLONE_VFORK) on its own stack; this
   task sleeps until the child execs or exits) or a pthread. Returns the pid or -1. */
static int create(const struct command *c) {
  static int child_task;
  pthread_t t;
  pthread_attr_t attr;
  void *stack;
  int pid;
  if (c->op == OP_FORK) {
    pid = fork();
    if (pid == 0) serve(c->child);
    return pid;
  }
  if (c->op == OP_THREAD) {
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, STACK_BYTES);
    pid = pthread_create(&t, &attr, thread_main, (void *)(intptr_t)c->child);
    pthread_attr_destroy(&attr);
    return pid == 0 ? 0 : (errno = pid, -1);
  }
  stack = mmap(NULL, STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return -1;
  child_task = c->child;
  pid = clone(vfork_child, (char *)stack + STACK_BYTES, CLONE_VM | CLONE_VFORK | SIGCHLD, &child_task);
  munmap(stack, STACK_BYTES);
  return pid;
}

static void serve(int task) {
  struct command c;
  answer(task, REPLY_READY, 0, (int)syscall(SYS_gettid));
  for (;;) {
    int rc = 0, tid = 0;
    if (!read_full(command_fd(FD_BASE, task), &c, sizeof c)) syscall(SYS_exit_group, 0); /* the run is over */
    switch (c.op) {
      case OP_MMAP: rc = map_region(&c); break;
      case OP_MUNMAP:
        if (c.base) {
          unsigned first = c.first == ALL_PAGES ? 0 : c.first, last = c.first == ALL_PAGES ? c.pages - 1 : c.last;
          rc = munmap((void *)(c.base + first * PAGE), (size_t)(last - first + 1) * PAGE);
        }
        break;
      case OP_WRITE: access_pages(&c, 1); break;
      case OP_READ: access_pages(&c, 0); break;
      case OP_MADVISE: case OP_MPROTECT: rc = range_call(&c); break;
      case OP_FORK: case OP_VFORK: case OP_THREAD: rc = tid = create(&c); break;
      case OP_EXEC: exec_self(task), rc = -1; break;
      case OP_EXIT_GROUP: syscall(SYS_exit_group, 0); break;
      case OP_EXIT_THREAD: syscall(SYS_exit, 0); break;
    }
    answer(task, rc < 0 ? REPLY_ERROR : REPLY_OK, rc < 0 ? errno : 0, tid);
  }
}

/* ---- the driver side: one operation at a time, in the script's order ---- */

static int drv_cmd[NTASKS], drv_reply[NTASKS]; /* the driver's ends of each task's pipes */
static int tids[NTASKS], alive[NTASKS], spawned[NTASKS];
static int cpu = 0;
static char file_dir[256];
static char file_paths[NFILES + 1][512];
static int nfiles = 0;

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A task is gone when /proc/TID/stat is gone or says zombie or dead. */
static int task_gone(int tid) {
  char path[64], buf[512], *paren;
  int fd, n;
  snprintf(path, sizeof path, "/proc/%d/stat", tid);
  if ((fd = open(path, O_RDONLY)) < 0) return 1;
  n = (int)read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 1;
  buf[n] = 0;
  paren = strrchr(buf, ')');
  return !paren || paren[2] == 'Z' || paren[2] == 'X' || paren[2] == 'x';
}

STEP void wait_gone(int t) {
  long until = now_ms() + 30000;
  while (alive[t] && !task_gone(tids[t]) && now_ms() < until) usleep(500);
  if (alive[t] && !task_gone(tids[t])) fprintf(stderr, "warning: task %s did not end\n", task_names[t]);
  alive[t] = 0;
}

/* Waits for task t's answer; returns 0 if the task died instead (SIGSEGV). */
static int wait_reply(int t, struct reply *r) {
  long until = now_ms() + 30000;
  for (;;) {
    struct pollfd p;
    p.fd = drv_reply[t], p.events = POLLIN, p.revents = 0;
    if (poll(&p, 1, 5) > 0 && read_full(drv_reply[t], r, sizeof *r)) return 1;
    if (tids[t] && task_gone(tids[t])) return alive[t] = 0, 0;
    if (now_ms() > until) {
      fprintf(stderr, "error: task %s does not answer\n", task_names[t]);
      exit(3);
    }
  }
}

static void send_cmd(int t, const struct command *c) {
  if (!write_full(drv_cmd[t], c, sizeof *c)) {
    fprintf(stderr, "error: cannot reach task %s\n", task_names[t]);
    exit(3);
  }
}

/* Sends one command and waits for it. Returns 1 when done, 0 when the task died. */
static int run(int t, struct command *c, const char *what) {
  struct reply r;
  if (!alive[t]) {
    fprintf(stderr, "note: %s is gone; skipped: %s\n", task_names[t], what);
    return 0;
  }
  send_cmd(t, c);
  if (!wait_reply(t, &r)) return 0;
  if (r.kind == REPLY_ERROR) fprintf(stderr, "note: %s: %s: %s\n", task_names[t], what, strerror(r.err));
  return 1;
}

static void ready(int t) {
  struct reply r;
  tids[t] = 0;
  if (!wait_reply(t, &r)) exit(3);
  tids[t] = r.tid, alive[t] = 1;
}

static struct command new_cmd(int op) {
  struct command c;
  memset(&c, 0, sizeof c);
  c.op = op;
  return c;
}

/* spawn: a new process, started afresh (fork + exec of this program), pinned to `cpu`. */
STEP void spawn(int t) {
  int pid = fork(), i;
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (i = 0; i < NTASKS; ++i) close(drv_cmd[i]), close(drv_reply[i]);
    exec_self(t);
    _exit(127);
  }
  spawned[t] = pid;
  tids[t] = pid;
  ready(t);
}

STEP void fork_task(int t, int child, int op, const char *what) {
  struct command c = new_cmd(op);
  struct reply r;
  c.child = child;
  send_cmd(t, &c);
  if (op == OP_VFORK) { /* the parent answers only when the child execs or exits */
    ready(child);
    return;
  }
  if (!wait_reply(t, &r) || r.kind == REPLY_ERROR) {
    fprintf(stderr, "note: %s failed\n", what);
    return;
  }
  ready(child);
}

/* A vfork parent resumes once its child exec'ed or exited: collect its answer. */
STEP void wait_resumed(int t) {
  struct reply r;
  wait_reply(t, &r);
}

STEP void exec_task(int t) {
  struct command c = new_cmd(OP_EXEC);
  struct reply r;
  int q;
  send_cmd(t, &c);
  if (!wait_reply(t, &r)) return;
  if (r.kind != REPLY_READY) {
    fprintf(stderr, "note: %s: exec failed: %s\n", task_names[t], strerror(r.err));
    return;
  }
  for (q = 0; q < NTASKS; ++q) /* exec by a thread takes over the leader's pid */
    if (q != t && alive[q] && tids[q] == r.tid) alive[q] = 0;
  tids[t] = r.tid;
}

STEP void exit_task(int t, int thread_only) {
  struct command c = new_cmd(thread_only ? OP_EXIT_THREAD : OP_EXIT_GROUP);
  send_cmd(t, &c);
  wait_gone(t);
}

STEP void map_task(int t, unsigned long long base, unsigned pages, int flags, int file, const char *what) {
  struct command c = new_cmd(OP_MMAP);
  c.base = base, c.pages = pages, c.flags = flags;
  if (file >= 0) snprintf(c.path, sizeof c.path, "%s", file_paths[file]);
  run(t, &c, what);
}

STEP void on_pages(int t, int op, unsigned long long base, unsigned pages, unsigned first, unsigned last,
                     int flags, unsigned tag, const char *what) {
  struct command c = new_cmd(op);
  c.base = base, c.pages = pages, c.first = first, c.last = last, c.flags = flags, c.tag = tag;
  run(t, &c, what);
}

/* A file of `pages` pages on a disk filesystem (not tmpfs), written page by page and
   fsync'ed: fully in the page cache, clean, in 4 KiB folios. */
STEP void make_file(int id, const char *name, unsigned pages) {
  static const char *dirs[] = {"/var/tmp", "/tmp", "."};
  char page[4096];
  unsigned i;
  int fd;
  if (!file_dir[0]) {
    for (i = 0; i < 3 && !file_dir[0]; ++i) {
      struct statfs fs;
      if (statfs(dirs[i], &fs) != 0 || fs.f_type == 0x01021994 /* tmpfs */) continue;
      snprintf(file_dir, sizeof file_dir, "%s/scenario-XXXXXX", dirs[i]);
      if (!mkdtemp(file_dir)) file_dir[0] = 0;
    }
    if (!file_dir[0]) fprintf(stderr, "error: no disk filesystem for the files\n"), exit(3);
  }
  snprintf(file_paths[id], sizeof file_paths[id], "%s/%s", file_dir, name);
  nfiles = id + 1;
  if ((fd = open(file_paths[id], O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0) perror(file_paths[id]), exit(3);
  for (i = 0; i < pages; ++i) {
    memset(page, 0, sizeof page); /* word 0 (the tag) is 0: file data */
    snprintf(page + 8, sizeof page - 8, "file %s page %u", name, i);
    if (pwrite(fd, page, sizeof page, (off_t)i * 4096) != (ssize_t)sizeof page) perror("pwrite"), exit(3);
  }
  if (fsync(fd) != 0) perror("fsync"), exit(3);
  close(fd);
}

/* Prints the smaps numbers of one region of task t: the sum over the VMAs that lie in
   the region's mappings [bases[i], bases[i] + pages[i] pages). Sizes in pages, Pss in kB. */
STEP void show_region(const char *at, int t, const char *region, int n, const unsigned long long *bases,
                        const unsigned *pages) {
  unsigned long long v[8] = {0}, start, end, kb;
  char path[64], line[512], key[64];
  int in = 0, i;
  FILE *f;
  snprintf(path, sizeof path, "/proc/%d/smaps", tids[t]);
  if (!alive[t] || task_gone(tids[t]) || !(f = fopen(path, "r"))) {
    printf("%s: %s gone\n", at, task_names[t]);
    return;
  }
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "%llx-%llx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' ')) {
      in = 0;
      for (i = 0; i < n; ++i)
        if (start >= bases[i] && end <= bases[i] + pages[i] * PAGE) in = 1, v[0] += (end - start) / PAGE;
      continue;
    }
    if (!in || sscanf(line, "%63[^:]: %llu kB", key, &kb) != 2) continue;
    if (!strcmp(key, "Rss")) v[1] += kb / 4;
    if (!strcmp(key, "Pss")) v[2] += kb;
    if (!strcmp(key, "Shared_Clean")) v[3] += kb / 4;
    if (!strcmp(key, "Shared_Dirty")) v[4] += kb / 4;
    if (!strcmp(key, "Private_Clean")) v[5] += kb / 4;
    if (!strcmp(key, "Private_Dirty")) v[6] += kb / 4;
    if (!strcmp(key, "Anonymous")) v[7] += kb / 4;
  }
  fclose(f);
  printf("%s: %s %s pages=%llu rss=%llu pss_kb=%llu shared_clean=%llu shared_dirty=%llu private_clean=%llu "
         "private_dirty=%llu anon=%llu\n", at, task_names[t], region, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
}

static void setup(void) {
  cpu_set_t set;
  int i, c, fds[2];
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (c = CPU_SETSIZE - 1; c >= 0; --c)
      if (CPU_ISSET(c, &set)) cpu = c;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set); /* every task inherits it: one CPU, deterministic */
  for (i = 0; i < NTASKS; ++i) {
    if (pipe(fds) != 0) perror("pipe"), exit(3);
    dup2(fds[0], command_fd(FD_BASE, i)), close(fds[0]);
    drv_cmd[i] = fds[1];
    if (pipe(fds) != 0) perror("pipe"), exit(3);
    dup2(fds[1], reply_fd(FD_BASE, i)), close(fds[1]);
    drv_reply[i] = fds[0];
  }
}

static void finish(void) {
  int t, i;
  for (t = 0; t < NTASKS; ++t) close(drv_cmd[t]); /* every task reads end-of-file and exits */
  for (t = 0; t < NTASKS; ++t)
    if (alive[t]) wait_gone(t);
  for (t = 0; t < NTASKS; ++t)
    if (spawned[t]) waitpid(spawned[t], NULL, 0);
  for (i = 0; i < nfiles; ++i) unlink(file_paths[i]);
  if (file_dir[0]) rmdir(file_dir);
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--worker") == 0) { /* a task, (re)started by exec */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN; /* children are reaped by the kernel */
    sigaction(SIGCHLD, &sa, NULL);
    serve(atoi(argv[2]));
  }
  setup();
  scenario();
  finish();
  return 0;
}
