// The driver side of `cowlab validate` (see driver.h).
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include "driver.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "worker.h"

namespace cow::kernel {

namespace {

constexpr long kTmpfsMagic = 0x01021994, kRamfsMagic = 0x858458f6;
constexpr int kReplyTimeoutMs = 30000;

long now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

// A directory on a disk filesystem (not tmpfs: the engine's files live in a page cache of
// 4 KiB folios that writeback can flush, as on ext4 or xfs).
std::string make_file_dir(std::string* why) {
  std::vector<std::string> candidates;
  if (const char* d = getenv("COWLAB_VALIDATE_DIR")) candidates.push_back(d);
  candidates.insert(candidates.end(), {"/var/tmp", "/work"});
  if (const char* d = getenv("TMPDIR")) candidates.push_back(d);
  candidates.push_back("/tmp");
  for (const std::string& c : candidates) {
    struct statfs fs;
    if (statfs(c.c_str(), &fs) != 0) continue;
    if (long(fs.f_type) == kTmpfsMagic || long(fs.f_type) == kRamfsMagic) {
      *why += " " + c + " is tmpfs;";
      continue;
    }
    std::string templ = c + "/cowlab-validate-XXXXXX";
    if (mkdtemp(templ.data())) return templ;
    *why += " " + c + ": " + strerror(errno) + ";";
  }
  return "";
}

}  // namespace

bool task_gone(pid_t tid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", int(tid));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return true;
  buf[n] = 0;
  const char* paren = strrchr(buf, ')');
  if (!paren || paren[1] != ' ') return true;
  char state = paren[2];
  return state == 'Z' || state == 'X' || state == 'x';
}

std::string Driver::start(size_t tasks) {
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && 6 * tasks + 64 > rl.rlim_cur)
    return "the script creates " + std::to_string(tasks) + " tasks; their pipes need more file descriptors "
           "than this system allows (" + std::to_string(rl.rlim_cur) + ")";
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) {
        cpu_ = c;
        break;
      }
  int highest = 2;
  for (size_t i = 0; i < tasks; ++i) {
    int cmd[2], rep[2];
    if (pipe2(cmd, O_CLOEXEC) != 0) return std::string("pipe: ") + strerror(errno);
    if (pipe2(rep, O_CLOEXEC) != 0) return std::string("pipe: ") + strerror(errno);
    channels_.push_back({cmd[1], cmd[0], rep[0], rep[1]});
    for (int fd : {cmd[0], cmd[1], rep[0], rep[1]}) highest = std::max(highest, fd);
  }
  fd_base_ = (highest + 16) & ~15;
  tasks_.assign(tasks, {});
  started_ = true;
  return "";
}

std::string Driver::create_file(FileId id, const std::string& name, uint32_t pages) {
  if (dir_.empty()) {
    std::string why;
    dir_ = make_file_dir(&why);
    if (dir_.empty()) return "no directory on a disk filesystem for the script's files:" + why;
  }
  std::string path = dir_ + "/" + name;
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return path + ": " + strerror(errno);
  std::vector<char> page(4096, 0);
  for (uint32_t i = 0; i < pages; ++i) {
    // Word 0 is the tag (0: file data); the rest says which page this is.
    snprintf(page.data() + 8, 4000, "cowlab file %s page %u", name.c_str(), i);
    if (pwrite(fd, page.data(), page.size(), off_t(i) * 4096) != 4096) {
      close(fd);
      return path + ": " + strerror(errno);
    }
  }
  if (fsync(fd) != 0) {
    close(fd);
    return path + ": fsync: " + strerror(errno);
  }
  close(fd);
  if (files_.size() <= id) files_.resize(id + 1);
  files_[id] = path;
  return "";
}

RunResult Driver::spawn(ProcId t, std::string* err) {
  std::string env = std::string(kWorkerEnv) + "=" + std::to_string(t) + ":" + std::to_string(fd_base_);
  char arg0[] = "cowlab-validate-worker";
  char* argv[] = {arg0, nullptr};
  char* envp[] = {env.data(), nullptr};
  int n = int(channels_.size());
  pid_t pid = fork();
  if (pid < 0) {
    *err = std::string("fork: ") + strerror(errno);
    return RunResult::Failed;
  }
  if (pid == 0) {  // only async-signal-safe calls from here to execve
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu_, &set);
    sched_setaffinity(0, sizeof set, &set);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0), dup2(null, 1);
      if (null > 2) close(null);
    }
    for (int i = 0; i < n; ++i) {
      dup2(channels_[i].cmd_r, command_fd(fd_base_, i));
      dup2(channels_[i].rep_w, reply_fd(fd_base_, i));
    }
    syscall(SYS_close_range, 3u, unsigned(fd_base_ - 1), 0u);
    syscall(SYS_close_range, unsigned(fd_base_ + 2 * n), ~0u, 0u);
    execve("/proc/self/exe", argv, envp);
    _exit(127);
  }
  tasks_[t].tid = pid;
  tasks_[t].alive = true;
  tasks_[t].spawned = true;
  reply r{};
  RunResult res = wait_reply(t, &r, IfGone::Killed, err);
  if (res == RunResult::Killed) {
    *err = "the worker process could not start (exec of /proc/self/exe failed?)";
    return RunResult::Failed;
  }
  return res;
}

bool Driver::refresh_alive(ProcId t) {
  if (tasks_[t].alive && task_gone(tasks_[t].tid)) tasks_[t].alive = false;
  return tasks_[t].alive;
}

bool Driver::wait_gone(ProcId t, int timeout_ms) {
  long until = now_ms() + timeout_ms;
  while (refresh_alive(t)) {
    if (now_ms() > until) return false;
    usleep(100);  // short: an exit's commit window ends when the driver sees it gone
  }
  return true;
}

RunResult Driver::wait_reply(ProcId t, reply* r, IfGone gone, std::string* err) {
  long until = now_ms() + kReplyTimeoutMs;
  for (;;) {
    pollfd p = {channels_[t].rep_r, POLLIN, 0};
    int rc = poll(&p, 1, 1);  // 1 ms: a killed task ends a commit window when it is seen gone
    if (rc > 0) {
      if (!read_full(channels_[t].rep_r, r, sizeof *r)) {
        *err = "reading a worker's answer failed";
        return RunResult::Failed;
      }
      return RunResult::Done;
    }
    if (gone == IfGone::Killed && tasks_[t].tid != 0 && !refresh_alive(t)) return RunResult::Killed;
    if (now_ms() > until) {
      *err = "task " + std::to_string(t) + " did not answer within " + std::to_string(kReplyTimeoutMs / 1000) + " s";
      return RunResult::Failed;
    }
  }
}

RunResult Driver::run(ProcId task, const command& c, reply* answer, std::string* err) {
  if (!write_full(channels_[task].cmd_w, &c, sizeof c)) {
    *err = "sending a command failed";
    return RunResult::Failed;
  }
  switch (c.op) {
    case OP_EXIT_GROUP: case OP_EXIT_THREAD: {
      if (!wait_gone(task, kReplyTimeoutMs)) {
        *err = "the task did not exit";
        return RunResult::Failed;
      }
      // validate's worker answers just before it exits (Committed_AS then, worker.cpp).
      pollfd p = {channels_[task].rep_r, POLLIN, 0};
      if (poll(&p, 1, 0) > 0 && !read_full(channels_[task].rep_r, answer, sizeof *answer)) answer->kind = 0;
      return RunResult::Done;
    }
    case OP_FORK: case OP_THREAD: {
      RunResult res = wait_reply(task, answer, IfGone::Killed, err);
      if (res != RunResult::Done || answer->kind == REPLY_ERROR) return res;
      reply ready{};
      res = wait_reply(c.child, &ready, IfGone::KeepWaiting, err);
      if (res != RunResult::Done) return res;
      tasks_[c.child].tid = ready.tid;
      tasks_[c.child].alive = true;
      return res;
    }
    case OP_VFORK: {
      // The parent answers only when the child execs or exits: wait for the child's Ready,
      // unless the parent answers first (clone failed).
      long until = now_ms() + kReplyTimeoutMs;
      for (;;) {
        pollfd p[2] = {{channels_[c.child].rep_r, POLLIN, 0}, {channels_[task].rep_r, POLLIN, 0}};
        if (poll(p, 2, 5) > 0) {
          if (p[1].revents & POLLIN) return wait_reply(task, answer, IfGone::KeepWaiting, err);
          reply ready{};
          if (!read_full(channels_[c.child].rep_r, &ready, sizeof ready)) return RunResult::Failed;
          tasks_[c.child].tid = ready.tid;
          tasks_[c.child].alive = true;
          tasks_[task].vfork_waiting = true;
          answer->kind = REPLY_OK;
          return RunResult::Done;
        }
        if (now_ms() > until) {
          *err = "the vfork child did not start";
          return RunResult::Failed;
        }
      }
    }
    case OP_EXEC: {
      // No death check: a thread that execs leaves its tid for the leader's (de_thread).
      RunResult res = wait_reply(task, answer, IfGone::KeepWaiting, err);
      if (res != RunResult::Done || answer->kind != REPLY_READY) return res;
      // exec by a thread takes over the thread group leader's pid (Linux: de_thread).
      for (ProcId q = 0; q < tasks_.size(); ++q)
        if (q != task && tasks_[q].alive && tasks_[q].tid == answer->tid) tasks_[q].alive = false;
      tasks_[task].tid = answer->tid;
      answer->kind = REPLY_OK;
      return res;
    }
    default:
      return wait_reply(task, answer, IfGone::Killed, err);
  }
}

void Driver::settle(const Engine& e, std::vector<std::string>* problems) {
  const std::vector<Process>& procs = e.processes();
  auto report = [&](std::string p) {  // each problem once per run
    if (std::find(problems->begin(), problems->end(), p) == problems->end()) problems->push_back(std::move(p));
  };
  for (ProcId q = 0; q < procs.size() && q < tasks_.size(); ++q)
    if (!procs[q].live() && tasks_[q].alive && !wait_gone(q, 10000))
      report("'" + procs[q].name + "' has " + to_string(procs[q].state) +
                          " in the engine, but its kernel task " + std::to_string(tasks_[q].tid) + " still runs");
  for (ProcId q = 0; q < procs.size() && q < tasks_.size(); ++q) {
    if (procs[q].state != ProcState::Running || !tasks_[q].vfork_waiting) continue;
    reply r{};
    std::string err;
    if (wait_reply(q, &r, IfGone::Killed, &err) == RunResult::Done) {
      tasks_[q].vfork_waiting = false;
    } else {
      report("'" + procs[q].name + "' resumed in the engine, but its kernel task still "
                          "waits for its vfork child" + (err.empty() ? "" : " (" + err + ")"));
    }
  }
  for (ProcId q = 0; q < procs.size() && q < tasks_.size(); ++q)
    if (procs[q].live() && tasks_[q].tid != 0 && !refresh_alive(q))
      report("'" + procs[q].name + "' is " + to_string(procs[q].state) +
                          " in the engine, but its kernel task " + std::to_string(tasks_[q].tid) + " has died");
}

void Driver::shutdown() {
  if (!started_) return;
  started_ = false;
  for (Channel& c : channels_) {  // every worker reads end-of-file and exits
    close(c.cmd_w);
    c.cmd_w = -1;
  }
  for (ProcId t = 0; t < tasks_.size(); ++t) {
    if (!tasks_[t].alive || wait_gone(t, 3000)) continue;
    kill(tasks_[t].tid, SIGKILL);  // one we started and just saw alive
    wait_gone(t, 3000);
  }
  for (const KernelTask& t : tasks_)
    if (t.spawned) waitpid(t.tid, nullptr, 0);
  for (Channel& c : channels_)
    for (int fd : {c.cmd_r, c.rep_r, c.rep_w}) close(fd);
  channels_.clear();
  for (const std::string& f : files_)
    if (!f.empty()) unlink(f.c_str());
  if (!dir_.empty()) rmdir(dir_.c_str());
}

}  // namespace cow::kernel
#endif  // __linux__
