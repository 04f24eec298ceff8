#pragma once
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace gatewatch::testing {

// A real child process (the gatewatch binary, nginx, ...) with stdout+stderr captured to a
// temp file. The destructor kills it (SIGKILL) if it is still running.
class ChildProcess {
 public:
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::vector<std::string>& extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits for exit up to `limit`; returns the exit code, 128+signal if killed, -1 on timeout.
  int Wait(std::chrono::milliseconds limit);
  bool Running();
  std::string Output() const;  // everything it printed so far

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string output_path_;
};

// Runs a command to completion (bounded by `limit`) and returns {exit code, output}.
struct RunResult {
  int exit_code;
  std::string output;
};
RunResult RunCommand(const std::string& program, const std::vector<std::string>& args,
                     std::chrono::milliseconds limit = std::chrono::seconds(30),
                     const std::vector<std::string>& extra_env = {});

// A fresh directory under $TMPDIR, removed with its contents by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

}  // namespace gatewatch::testing
