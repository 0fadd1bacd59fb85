// The driver side of `cowlab validate`: starts the worker tasks, hands each one command
// at a time and waits for it, and keeps track of which kernel task (tid) stands for which
// script task. Files become real files on a disk filesystem. Linux only.
#pragma once
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/types.h>

#include <string>
#include <vector>

#include "engine/kernel/protocol.h"
#include "engine/mm/engine.h"

namespace cow::kernel {

enum class RunResult : uint8_t {
  Done,    // the task answered (reply.kind may still be REPLY_ERROR: the call failed)
  Killed,  // the task died instead of answering (SIGSEGV)
  Failed,  // the bridge itself failed; the message says why
};

struct KernelTask {
  pid_t tid = 0;               // 0 until the task exists
  bool alive = false;
  bool vfork_waiting = false;  // sleeping in clone(CLONE_VFORK); its answer is pending
  bool spawned = false;        // a child of the driver (to be reaped)
};

class Driver {
 public:
  Driver() = default;
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;
  ~Driver() { shutdown(); }

  // Creates the pipes of `tasks` tasks, picks the CPU and the file directory.
  // Returns "" or why the kernel path cannot run here.
  std::string start(size_t tasks);
  // Writes file `id` (`pages` pages, each tagged 0) page by page, then fsyncs it.
  std::string create_file(FileId id, const std::string& name, uint32_t pages);
  const std::string& file_path(FileId id) const { return files_[id]; }
  const std::string& file_dir() const { return dir_; }
  int cpu() const { return cpu_; }

  // Starts task t as a fresh process (fork + exec of this program), pinned to cpu().
  RunResult spawn(ProcId t, std::string* err);
  // Sends `c` to `task` and waits until it has been carried out (for Fork, Vfork and
  // Thread also until the new task is ready; for exits until the task is gone).
  RunResult run(ProcId task, const command& c, reply* answer, std::string* err);
  // After a statement: waits until every task the engine says ended is gone from the
  // kernel, and collects the answers of vfork parents the engine says resumed.
  // Appends to `problems` where the kernel does not follow.
  void settle(const Engine& e, std::vector<std::string>* problems);

  const KernelTask& task(ProcId t) const { return tasks_[t]; }
  size_t task_count() const { return tasks_.size(); }

  // Ends every task still running, reaps, removes the files. Safe to call twice.
  void shutdown();

 private:
  // What to do when task t dies before it answers: report it, or keep waiting (a task that
  // is not running yet, or one whose tid changes under exec).
  enum class IfGone : uint8_t { Killed, KeepWaiting };
  RunResult wait_reply(ProcId t, reply* r, IfGone gone, std::string* err);
  bool wait_gone(ProcId t, int timeout_ms);
  bool refresh_alive(ProcId t);

  struct Channel {
    int cmd_w = -1, cmd_r = -1, rep_r = -1, rep_w = -1;
  };
  std::vector<Channel> channels_;
  std::vector<KernelTask> tasks_;
  std::vector<std::string> files_;  // by FileId
  std::string dir_;
  int fd_base_ = -1;
  int cpu_ = 0;
  bool started_ = false;
};

// True when /proc/TID/stat is gone or shows a zombie or dead task.
bool task_gone(pid_t tid);

}  // namespace cow::kernel
#endif  // __linux__
