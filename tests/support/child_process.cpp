#include "support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace gatewatch::testing {

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args,
                           const std::vector<std::string>& extra_env) {
  char path_template[] = "/tmp/gatewatch-child-XXXXXX";
  const int fd = mkstemp(path_template);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  output_path_ = path_template;

  std::vector<std::string> argv_storage{program};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test that crashes cannot run its destructors: without this its nginx or agent kept
    // running after the test binary was gone. The kernel kills the child when the thread
    // that forked it exits (tests fork from the test body's thread); a parent already gone
    // before prctl took effect is caught by getppid().
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(fd, 1);
    dup2(fd, 2);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    for (const auto& kv : extra_env) putenv(const_cast<char*>(kv.c_str()));
    execvp(program.c_str(), argv.data());
    _exit(127);
  }
  close(fd);
}

ChildProcess::~ChildProcess() {
  if (Running()) {
    kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(5));
  }
  std::error_code ec;
  std::filesystem::remove(output_path_, ec);
}

void ChildProcess::Signal(int sig) {
  if (pid_ > 0 && exit_code_ < 0) kill(pid_, sig);
}

bool ChildProcess::Running() {
  if (exit_code_ >= 0) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return false;
}

int ChildProcess::Wait(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (Running()) {
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

std::string ChildProcess::Output() const {
  std::ifstream in(output_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RunResult RunCommand(const std::string& program, const std::vector<std::string>& args,
                     std::chrono::milliseconds limit, const std::vector<std::string>& extra_env) {
  ChildProcess child(program, args, extra_env);
  const int code = child.Wait(limit);
  return {code, child.Output()};
}

TempDir::TempDir() {
  char path_template[] = "/tmp/gatewatch-test-XXXXXX";
  if (mkdtemp(path_template) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = path_template;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& contents) const {
  const std::string full = path_ + "/" + name;
  std::ofstream(full) << contents;
  return full;
}

}  // namespace gatewatch::testing
