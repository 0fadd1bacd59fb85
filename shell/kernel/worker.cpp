// The worker side of `cowlab validate` (see worker.h): the command loop each script task
// runs inside a real Linux task, speaking engine/kernel/protocol.h.
//
// The loop also runs in vfork children, which share their parent's memory and even its
// thread-local storage, and in children forked from threaded processes. So it allocates
// nothing and calls only system calls (errno is shared there, but only one task ever
// runs at a time: the driver waits for each command). An exec'ed task re-enters here
// through a constructor that runs before main() when kWorkerEnv is set.
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "commit_probe.h"
#include "engine/kernel/protocol.h"
#include "worker.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

namespace cow::kernel {

namespace {

constexpr uint64_t kPage = 4096;
constexpr size_t kStackBytes = 256 * 1024;  // vfork children and threads
constexpr uint32_t kNoRun = UINT32_MAX;

int g_fd_base = -1;  // the same in every task of one run; set before the first task starts

[[noreturn]] void exit_group(int status) {
  syscall(SYS_exit_group, status);
  __builtin_unreachable();
}

void send(uint32_t task, const reply& r) {
  if (!write_full(reply_fd(g_fd_base, int(task)), &r, sizeof r)) exit_group(1);  // the driver is gone
}

bool page_mapped(uint64_t addr, uint32_t pages) {
  unsigned char vec[512];
  return mincore(reinterpret_cast<void*>(addr), pages * kPage, vec) == 0;
}

// Calls f(first, last) for each run of pages within [first, last] that this address
// space still maps (mincore fails with ENOMEM on unmapped pages; it faults nothing in).
template <class F>
void mapped_runs(uint64_t base, uint32_t first, uint32_t last, F&& f) {
  uint32_t run = kNoRun;
  for (uint64_t p = first; p <= last;) {
    uint32_t n = uint32_t(last - p + 1 < 512 ? last - p + 1 : 512);
    if (run != kNoRun && page_mapped(base + p * kPage, n)) {
      p += n;
      continue;
    }
    bool mapped = page_mapped(base + p * kPage, 1);
    if (mapped && run == kNoRun) run = uint32_t(p);
    if (!mapped && run != kNoRun) f(run, uint32_t(p - 1)), run = kNoRun;
    ++p;
  }
  if (run != kNoRun) f(run, last);
}

// ---- the measured window -------------------------------------------------------------
// The kernel's fault count of an operation is task->min_flt before and after it
// (getrusage RUSAGE_THREAD). Nothing but the operation may fault in between, so the code
// that runs there lives in its own section, whose pages prefault() reads in beforehand
// (after fork a child has no PTEs for the program text), and prefault() writes the stack
// the window uses (after fork every private page is write-protected). The window calls
// only syscall(), whose page (and PLT slot) the first getrusage brings in before the
// count is read. See docs/kernel-rules.md, "What the fault counters count".
#define MEASURED __attribute__((section("cowlab_measured"), noinline))
extern "C" const char __start_cowlab_measured[], __stop_cowlab_measured[];

constexpr uint32_t kMaxSpans = 256;
struct Span {
  uint32_t first, last;
};

__attribute__((always_inline)) inline uint64_t thread_faults() {
  struct rusage u;
  syscall(SYS_getrusage, RUSAGE_THREAD, &u);
  return uint64_t(u.ru_minflt);
}

__attribute__((noinline)) void prefault() {
  volatile char stack[64 * 1024];
  for (size_t i = 0; i < sizeof stack; i += kPage / 2) stack[i] = 0;
  uintptr_t lo = uintptr_t(__start_cowlab_measured), hi = uintptr_t(__stop_cowlab_measured);
  for (uintptr_t p = lo & ~(kPage - 1); p < hi; p += kPage) (void)*reinterpret_cast<const volatile char*>(p > lo ? p : lo);
  thread_faults();
}

// Reads or writes every page of the spans; the faults they took go to r.faults.
MEASURED void measured_access(const Span* spans, uint32_t n, uint64_t base, bool write, uint32_t tag, reply& r) {
  uint64_t before = thread_faults();
  for (uint32_t s = 0; s < n; ++s)
    for (uint64_t p = spans[s].first; p <= spans[s].last; ++p) {
      volatile uint32_t* word = reinterpret_cast<volatile uint32_t*>(base + p * kPage);
      if (write) {
        *word = tag;
      } else {
        uint32_t seen = *word;
        if (r.ntags < MAX_READ_TAGS) r.tags[r.ntags++] = seen;
      }
      ++r.touched;
    }
  r.faults = uint32_t(thread_faults() - before);
}

// One system call; the faults it took are added to r.faults. Returns its result.
MEASURED long measured_call(long nr, long a, long b, long c, long d, long e, long f, reply& r) {
  uint64_t before = thread_faults();
  long rc = syscall(nr, a, b, c, d, e, f);
  r.faults += uint32_t(thread_faults() - before);
  return rc;
}

// The runs of mapped pages within [first, last] into spans[]: their number, or
// kTooManySpans when there are more than kMaxSpans.
constexpr uint32_t kTooManySpans = UINT32_MAX;
uint32_t mapped_spans(uint64_t base, uint32_t first, uint32_t last, Span* spans) {
  uint32_t n = 0;
  mapped_runs(base, first, last, [&](uint32_t a, uint32_t b) {
    if (n < kMaxSpans) spans[n] = {a, b};
    if (n != kTooManySpans) n = n < kMaxSpans ? n + 1 : kTooManySpans;
  });
  return n;
}

// Reads or writes pages; an unmapped or read-only page kills the task with SIGSEGV,
// exactly as the script says it should.
void do_access(const command& c, reply& r, bool write) {
  static volatile uint64_t nowhere = 0;  // a region this mm never had: fault on address 0
  if (c.base == 0) *reinterpret_cast<volatile uint32_t*>(uintptr_t(nowhere)) = 0;
  Span spans[kMaxSpans];
  uint32_t n = 1;
  spans[0] = {c.first, c.last};
  if (c.first == ALL_PAGES) n = mapped_spans(c.base, 0, c.pages - 1, spans);
  if (n == 0) spans[0] = {0, 0}, n = 1;  // nothing mapped: SIGSEGV on page 0
  if (n == kTooManySpans) {              // too many holes to list: touch them unmeasured
    mapped_runs(c.base, 0, c.pages - 1, [&](uint32_t a, uint32_t b) {
      Span one = {a, b};
      measured_access(&one, 1, c.base, write, c.tag, r);
    });
    r.faults = FAULTS_UNMEASURED;
    return;
  }
  prefault();
  measured_access(spans, n, c.base, write, c.tag, r);
}

void fail(reply& r) {
  r.kind = REPLY_ERROR;
  r.err = errno;
}

void do_mmap(const command& c, reply& r) {
  int fd = -1;
  if (c.flags & MAP_IS_FILE) {
    fd = open(c.path, O_RDWR | O_CLOEXEC);
    if (fd < 0) return fail(r);
  }
  int prot = (c.flags & MAP_IS_READONLY) ? PROT_READ : PROT_READ | PROT_WRITE;
  int flags = ((c.flags & MAP_IS_SHARED) ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED_NOREPLACE |
              ((c.flags & MAP_IS_FILE) ? 0 : MAP_ANONYMOUS) | ((c.flags & MAP_IS_NORESERVE) ? MAP_NORESERVE : 0);
  size_t len = size_t(c.pages) * kPage;
  void* want = reinterpret_cast<void*>(c.base);
  prefault();
  void* got = reinterpret_cast<void*>(measured_call(SYS_mmap, long(c.base), long(len), prot, flags, fd, 0, r));
  int saved = errno;
  if (fd >= 0) close(fd);
  errno = saved;
  if (got == MAP_FAILED) return fail(r);
  if (got != want) {  // a kernel older than 4.17 took MAP_FIXED_NOREPLACE as a hint
    munmap(got, len);
    errno = EEXIST;
    return fail(r);
  }
  if (madvise(got, len, (c.flags & MAP_IS_HUGE) ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0) return fail(r);
}

// madvise / mprotect on the mapped runs of the range (Linux would fail at a hole).
void do_range(const command& c, reply& r) {
  bool all = c.first == ALL_PAGES;
  uint32_t first = all ? 0 : c.first, last = all ? c.pages - 1 : c.last;
  if (c.base == 0) return;
  Span spans[kMaxSpans];
  uint32_t n = mapped_spans(c.base, first, last, spans);
  prefault();
  auto call = [&](uint32_t a, uint32_t b) {
    long at = long(c.base + uint64_t(a) * kPage), len = long(uint64_t(b - a + 1) * kPage);
    long rc = measured_call(c.op == OP_MADVISE ? SYS_madvise : SYS_mprotect, at, len, long(c.flags), 0, 0, 0, r);
    if (rc != 0 && r.kind != REPLY_ERROR) fail(r);
  };
  if (n != kTooManySpans) {
    for (uint32_t i = 0; i < n; ++i) call(spans[i].first, spans[i].last);
    return;
  }
  mapped_runs(c.base, first, last, call);  // too many runs to list: mincore between calls
  r.faults = FAULTS_UNMEASURED;
}

void do_munmap(const command& c, reply& r) {
  if (c.base == 0) return;
  bool all = c.first == ALL_PAGES;
  uint64_t first = all ? 0 : c.first, last = all ? c.pages - 1 : c.last;
  prefault();
  if (measured_call(SYS_munmap, long(c.base + first * kPage), long((last - first + 1) * kPage), 0, 0, 0, 0, r) != 0)
    fail(r);
}

[[noreturn]] void serve(uint32_t task);

int vfork_child(void* arg) { serve(*static_cast<uint32_t*>(arg)); }

void* thread_main(void* arg) { serve(uint32_t(reinterpret_cast<uintptr_t>(arg))); }

// Writes "NAME=task:fd_base" into buf without the C library's formatting.
void worker_env(char* buf, uint32_t task) {
  const char* name = kWorkerEnv;
  while (*name) *buf++ = *name++;
  *buf++ = '=';
  auto put = [&](uint64_t v) {
    char digits[24];
    int n = 0;
    do digits[n++] = char('0' + v % 10), v /= 10;
    while (v);
    while (n) *buf++ = digits[--n];
  };
  put(task);
  *buf++ = ':';
  put(uint64_t(g_fd_base));
  *buf = 0;
}

void do_create(const command& c, reply& r) {
  if (c.op == OP_FORK) {
    pid_t pid = fork();
    if (pid == 0) serve(c.child);
    if (pid < 0) return fail(r);
    r.tid = pid;
    return;
  }
  if (c.op == OP_THREAD) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, kStackBytes);
    pthread_t t;
    int rc = pthread_create(&t, &attr, thread_main, reinterpret_cast<void*>(uintptr_t(c.child)));
    pthread_attr_destroy(&attr);
    if (rc != 0) errno = rc, fail(r);
    return;
  }
  // vfork: clone(CLONE_VM|CLONE_VFORK) on a stack of its own; this task sleeps in clone()
  // until the child execs or exits, and only then answers the Vfork command.
  void* stack = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return fail(r);
  uint32_t child = c.child;
  pid_t pid = clone(vfork_child, static_cast<char*>(stack) + kStackBytes, CLONE_VM | CLONE_VFORK | SIGCHLD, &child);
  int saved = errno;
  munmap(stack, kStackBytes);
  errno = saved;
  if (pid < 0) return fail(r);
  r.tid = pid;
}

void do_exec(uint32_t task, reply& r) {
  char env[96];
  worker_env(env, task);
  char arg0[] = "cowlab-validate-worker";
  char* argv[] = {arg0, nullptr};
  char* envp[] = {env, nullptr};
  execve("/proc/self/exe", argv, envp);
  fail(r);  // only reached when exec failed
}

[[noreturn]] void serve(uint32_t task) {
  reply ready{};
  ready.kind = REPLY_READY;
  ready.tid = int32_t(syscall(SYS_gettid));
  send(task, ready);
  for (;;) {
    command c{};
    if (!read_full(command_fd(g_fd_base, int(task)), &c, sizeof c)) exit_group(0);  // the run is over
    reply r{};
    r.kind = REPLY_OK;
    r.committed_before = committed_as_kb();  // allocates nothing (commit_probe.h)
    switch (task_op(c.op)) {
      case OP_MMAP: do_mmap(c, r); break;
      case OP_MUNMAP: do_munmap(c, r); break;
      case OP_WRITE: do_access(c, r, true); break;
      case OP_READ: do_access(c, r, false); break;
      case OP_MADVISE: case OP_MPROTECT: do_range(c, r); break;
      case OP_FORK: case OP_VFORK: case OP_THREAD:
        r.faults = FAULTS_UNMEASURED;  // the C library's own writes after fork would count
        do_create(c, r);
        break;
      case OP_EXEC: r.faults = FAULTS_UNMEASURED, do_exec(task, r); break;
      // An exit is answered before it happens: the answer carries Committed_AS read just
      // before it, and the driver reads it again once the task is gone.
      case OP_EXIT_GROUP: send(task, r), exit_group(0);
      case OP_EXIT_THREAD: send(task, r), syscall(SYS_exit, 0); __builtin_unreachable();
    }
    r.committed_after = committed_as_kb();
    send(task, r);
  }
}

// An exec'ed task: the environment names the task; become it before main() runs.
__attribute__((constructor)) void exec_entry() {
  const char* v = getenv(kWorkerEnv);
  if (!v) return;
  char* end = nullptr;
  unsigned long task = strtoul(v, &end, 10);
  if (!end || *end != ':') return;
  int base = int(strtol(end + 1, nullptr, 10));
  unsetenv(kWorkerEnv);
  worker_main(uint32_t(task), base);
}

}  // namespace

[[noreturn]] void worker_main(uint32_t task, int fd_base) {
  g_fd_base = fd_base;
  struct sigaction sa = {};
  sa.sa_handler = SIG_IGN;  // children are reaped by the kernel: no zombies to track
  sigaction(SIGCHLD, &sa, nullptr);
  serve(task);
}

}  // namespace cow::kernel
#endif  // __linux__
