#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
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

struct LoadJsonFileResult {
  bool parsed = false;         // the file existed and `parse` accepted it
  std::string error;           // "" or one line for the log; see LoadJsonFile
  std::string set_aside_path;  // where a corrupt file went, "" if none was set aside
};

// Loads a JSON state file whose absence is normal (first start): reads `path`, parses it
// without exceptions and hands the document to `parse`, which returns "" when it accepts it,
// else what is wrong with it ("unsupported version 2"). When the file is missing, nothing
// else happens. When it cannot be read, error is "<read error>; <fallback>". When it is not
// valid JSON or `parse` rejects it, the file is set aside (SetAsideCorruptFile with
// `unix_seconds`) and error is "<path> is corrupt (<problem>); set aside as <new path>;
// <fallback>" (or the set-aside failure in place of "set aside as ..."). `fallback` says
// what the caller does instead, e.g. "starting with no saved alerts". `parse` runs at most
// once, on this thread; it may have filled its output partly when it rejects a document.
LoadJsonFileResult LoadJsonFile(
    const std::string& path, std::int64_t unix_seconds, std::string_view fallback,
    const std::function<std::string(const nlohmann::ordered_json&)>& parse);

// "<dir>/<name>", without doubling a '/' that `dir` ends with; an empty `dir` gives `name`.
std::string FileInDirectory(std::string_view dir, std::string_view name);

// Creates `dir` and its parents if missing. Returns "" on success or when it already exists.
std::string EnsureDirectory(const std::string& dir);

}  // namespace gatewatch::core
