#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace gatewatch::core {
namespace {

std::string Errno(std::string_view what, const std::string& path, int err) {
  std::string out(what);
  out += " ";
  out += path;
  out += ": ";
  out += std::strerror(err);
  return out;
}

std::string DirectoryOf(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Temp names must differ between threads of one process too (two modules may save at once).
std::atomic<std::uint64_t> temp_counter{0};

}  // namespace

std::string WriteFileAtomically(const std::string& path, std::string_view bytes) {
  const std::string temp =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(temp_counter.fetch_add(1));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create", temp, errno);
  std::string error;
  if (!WriteAll(fd, bytes)) {
    error = Errno("cannot write", temp, errno);
  } else if (::fsync(fd) != 0) {
    error = Errno("cannot fsync", temp, errno);
  }
  if (::close(fd) != 0 && error.empty()) error = Errno("cannot close", temp, errno);
  if (error.empty() && ::rename(temp.c_str(), path.c_str()) != 0) {
    error = Errno("cannot rename onto", path, errno);
  }
  if (!error.empty()) {
    ::unlink(temp.c_str());
    return error;
  }
  // Without this the rename itself may not survive a power loss.
  const std::string dir = DirectoryOf(path);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Errno("cannot open directory", dir, errno);
  if (::fsync(dir_fd) != 0) error = Errno("cannot fsync directory", dir, errno);
  ::close(dir_fd);
  return error;
}

ReadFileResult ReadFile(const std::string& path) {
  ReadFileResult result;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      result.missing = true;
    } else {
      result.error = Errno("cannot open", path, errno);
    }
    return result;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    result.bytes.reserve(static_cast<std::size_t>(st.st_size));
  }
  char buf[64 * 1024];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      result.error = Errno("cannot read", path, errno);
      result.bytes.clear();
      break;
    }
    if (n == 0) break;
    result.bytes.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return result;
}

SetAsideResult SetAsideCorruptFile(const std::string& path, std::int64_t unix_seconds) {
  SetAsideResult result;
  const std::string base = path + ".corrupt-" + std::to_string(unix_seconds);
  constexpr int kMaxSuffix = 100;
  for (int n = 1; n <= kMaxSuffix; ++n) {
    const std::string candidate = n == 1 ? base : base + "-" + std::to_string(n);
    struct stat st {};
    if (::lstat(candidate.c_str(), &st) == 0) continue;
    if (::rename(path.c_str(), candidate.c_str()) != 0) {
      result.error = Errno("cannot rename", path, errno);
      return result;
    }
    result.new_path = candidate;
    return result;
  }
  result.error = "cannot set aside " + path + ": too many earlier corrupt copies";
  return result;
}

LoadJsonFileResult LoadJsonFile(
    const std::string& path, std::int64_t unix_seconds, std::string_view fallback,
    const std::function<std::string(const nlohmann::ordered_json&)>& parse) {
  LoadJsonFileResult result;
  const ReadFileResult file = ReadFile(path);
  if (file.missing) return result;
  if (!file.error.empty()) {
    result.error = file.error + "; ";
    result.error += fallback;
    return result;
  }
  const auto doc = nlohmann::ordered_json::parse(file.bytes, nullptr, /*allow_exceptions=*/false);
  const std::string problem = doc.is_discarded() ? "not valid JSON (truncated?)" : parse(doc);
  if (problem.empty()) {
    result.parsed = true;
    return result;
  }
  const SetAsideResult aside = SetAsideCorruptFile(path, unix_seconds);
  result.error = path + " is corrupt (" + problem + "); ";
  if (aside.error.empty()) {
    result.set_aside_path = aside.new_path;
    result.error += "set aside as " + aside.new_path;
  } else {
    result.error += aside.error;
  }
  result.error += "; ";
  result.error += fallback;
  return result;
}

std::string FileInDirectory(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path += '/';
  path += name;
  return path;
}

std::string EnsureDirectory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create directory " + dir + ": " + ec.message();
  return {};
}

}  // namespace gatewatch::core
