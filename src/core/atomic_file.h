#pragma once
#include <cstdint>
#include <string>
#include <string_view>

// Small files that must survive a crash (kill -9, power loss) whole or not at all: the alert
// state and the notification outbox under agent.state_dir. Plain functions over POSIX calls;
// safe to call from any thread, as long as no two threads write the same path at once.
namespace gatewatch::core {

// Replaces `path` with `bytes` so that a reader (also after a crash) sees either the old
// file or the new one, never a mix: writes "<path>.tmp-<pid>-<n>" in the same directory,
// fsyncs it, renames it over `path` and fsyncs the directory. The directory must exist.
// Returns "" on success, else what failed ("cannot write /var/lib/x/y.json: No space left
// on device"); the temp file is then removed and `path` is untouched.
std::string WriteFileAtomically(const std::string& path, std::string_view bytes);

struct ReadFileResult {
  std::string bytes;
  bool missing = false;  // no such file: not an error for state files (first start)
  std::string error;     // "" unless it exists but could not be read
};

// Reads a whole file. Missing files set `missing` and leave `error` empty.
ReadFileResult ReadFile(const std::string& path);

struct SetAsideResult {
  std::string new_path;  // "<path>.corrupt-<unix_seconds>" (or with "-2", "-3" ... if taken)
  std::string error;     // "" on success
};

// Renames an unreadable or corrupt state file out of the way, so the next start does not trip
// over it again and a person can still look at it. Never overwrites an earlier set-aside file.
SetAsideResult SetAsideCorruptFile(const std::string& path, std::int64_t unix_seconds);

// Creates `dir` and its parents if missing. Returns "" on success or when it already exists.
std::string EnsureDirectory(const std::string& dir);

}  // namespace gatewatch::core
