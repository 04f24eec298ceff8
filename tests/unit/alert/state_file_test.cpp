// The alert state file (round trip, corrupt files set aside) and the atomic file writes
// under it.
#include "alert/state_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "support/child_process.h"

namespace gatewatch::alert {
namespace {

using gatewatch::testing::TempDir;
using std::chrono::milliseconds;
using std::chrono::seconds;

const core::Clock::WallTimePoint kNow = core::Clock::WallTimePoint{} + seconds(1'790'000'000);

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<SavedAlert> Sample() {
  SavedAlert a;
  a.rule = "gateway-502";
  a.target = "checkout";
  a.state = State::kFiring;
  a.since_wall = kNow - seconds(300);
  a.fired_at_wall = kNow - seconds(300) + milliseconds(123);
  a.last_notified_wall = kNow - seconds(60);
  a.sequence = 7;
  a.value = 0.4242;
  SavedAlert b = a;
  b.rule = "latency";
  b.target = "search \"eu\"";
  b.sequence = 1;
  b.value = 1.5;
  return {a, b};
}

TEST(StateFileTest, RoundTrip) {
  TempDir dir;
  const std::string path = StateFilePath(dir.path());
  EXPECT_EQ(path, dir.path() + "/alerts.json");
  const std::vector<SavedAlert> saved = Sample();
  ASSERT_EQ(SaveAlertState(path, saved), "");
  const LoadedAlertState loaded = LoadAlertState(path, kNow);
  EXPECT_EQ(loaded.error, "");
  ASSERT_EQ(loaded.alerts.size(), 2u);
  for (std::size_t i = 0; i < saved.size(); ++i) {
    const SavedAlert& a = saved[i];
    const SavedAlert& b = loaded.alerts[i];
    EXPECT_EQ(b.rule, a.rule);
    EXPECT_EQ(b.target, a.target);
    EXPECT_EQ(b.state, a.state);
    EXPECT_EQ(b.since_wall, a.since_wall);
    EXPECT_EQ(b.fired_at_wall, a.fired_at_wall);
    EXPECT_EQ(b.last_notified_wall, a.last_notified_wall);
    EXPECT_EQ(b.sequence, a.sequence);
    EXPECT_DOUBLE_EQ(b.value, a.value);
  }
  EXPECT_NE(Slurp(path).find("\"version\": 1"), std::string::npos);
}

TEST(StateFileTest, EmptyListAndMissingFile) {
  TempDir dir;
  const std::string path = StateFilePath(dir.path() + "/");
  EXPECT_EQ(path, dir.path() + "/alerts.json");
  const LoadedAlertState missing = LoadAlertState(path, kNow);
  EXPECT_EQ(missing.error, "");
  EXPECT_TRUE(missing.alerts.empty());
  ASSERT_EQ(SaveAlertState(path, {}), "");
  const LoadedAlertState empty = LoadAlertState(path, kNow);
  EXPECT_EQ(empty.error, "");
  EXPECT_TRUE(empty.alerts.empty());
}

TEST(StateFileTest, CorruptFilesAreSetAsideAndReported) {
  const std::string good = SerializeAlertState(Sample());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"truncated", good.substr(0, good.size() - 20)},
      {"cut mid-number", good.substr(0, good.find("0.4242") + 3)},
      {"empty", ""},
      {"binary", std::string("\0\xff\x10", 3)},
      {"not an object", "[1, 2]"},
      {"no version", R"({"alerts": []})"},
      {"future version", R"({"version": 2, "alerts": []})"},
      {"alerts not array", R"({"version": 1, "alerts": {}})"},
      {"unknown state",
       R"({"version":1,"alerts":[{"rule":"r","target":"t","state":"exploded","since_ms":0,)"
       R"("fired_at_ms":0,"last_notified_ms":0,"sequence":1,"value":0}]})"},
      {"wrong type",
       R"({"version":1,"alerts":[{"rule":"r","target":"t","state":"firing","since_ms":"0",)"
       R"("fired_at_ms":0,"last_notified_ms":0,"sequence":1,"value":0}]})"},
      {"negative sequence",
       R"({"version":1,"alerts":[{"rule":"r","target":"t","state":"firing","since_ms":0,)"
       R"("fired_at_ms":0,"last_notified_ms":0,"sequence":-1,"value":0}]})"},
      {"absurd time",
       R"({"version":1,"alerts":[{"rule":"r","target":"t","state":"firing",)"
       R"("since_ms":9223372036854775807,"fired_at_ms":0,"last_notified_ms":0,"sequence":1,)"
       R"("value":0}]})"},
  };
  for (const auto& [name, text] : cases) {
    SCOPED_TRACE(name);
    TempDir dir;
    const std::string path = dir.Write("alerts.json", text);
    const LoadedAlertState loaded = LoadAlertState(path, kNow);
    EXPECT_TRUE(loaded.alerts.empty());
    EXPECT_NE(loaded.error.find("is corrupt"), std::string::npos) << loaded.error;
    EXPECT_EQ(loaded.set_aside_path, path + ".corrupt-1790000000");
    EXPECT_NE(loaded.error.find(loaded.set_aside_path), std::string::npos) << loaded.error;
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_EQ(Slurp(loaded.set_aside_path), text);
    // The next start is clean.
    const LoadedAlertState next = LoadAlertState(path, kNow);
    EXPECT_EQ(next.error, "");
  }
}

TEST(StateFileTest, SetAsideNeverOverwritesAnEarlierCopy) {
  TempDir dir;
  const std::string path = dir.Write("alerts.json", "first");
  ASSERT_EQ(LoadAlertState(path, kNow).set_aside_path, path + ".corrupt-1790000000");
  dir.Write("alerts.json", "second");
  const LoadedAlertState again = LoadAlertState(path, kNow);
  EXPECT_EQ(again.set_aside_path, path + ".corrupt-1790000000-2");
  EXPECT_EQ(Slurp(path + ".corrupt-1790000000"), "first");
  EXPECT_EQ(Slurp(path + ".corrupt-1790000000-2"), "second");
}

TEST(AtomicFileTest, ReplacesWholeAndLeavesNoTempFiles) {
  TempDir dir;
  const std::string path = dir.path() + "/f.json";
  ASSERT_EQ(core::WriteFileAtomically(path, "one"), "");
  ASSERT_EQ(core::WriteFileAtomically(path, std::string(100'000, 'x')), "");
  EXPECT_EQ(Slurp(path), std::string(100'000, 'x'));
  ASSERT_EQ(core::WriteFileAtomically(path, ""), "");
  EXPECT_EQ(Slurp(path), "");
  EXPECT_EQ(Listing(dir.path()), (std::vector<std::string>{"f.json"}));
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // state may name internal hosts: owner only
}

TEST(AtomicFileTest, FailureLeavesTheOldFileAndSaysWhy) {
  TempDir dir;
  const std::string missing_dir = dir.path() + "/nope/f.json";
  const std::string error = core::WriteFileAtomically(missing_dir, "x");
  EXPECT_NE(error.find("cannot create"), std::string::npos) << error;
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;

  // Renaming onto a directory fails after the temp file was written: it must be cleaned up.
  const std::string target = dir.path() + "/taken";
  std::filesystem::create_directory(target);
  std::filesystem::create_directory(target + "/child");
  EXPECT_NE(core::WriteFileAtomically(target, "x"), "");
  EXPECT_EQ(Listing(dir.path()), (std::vector<std::string>{"taken"}));
}

TEST(AtomicFileTest, ReadFile) {
  TempDir dir;
  const core::ReadFileResult missing = core::ReadFile(dir.path() + "/absent");
  EXPECT_TRUE(missing.missing);
  EXPECT_EQ(missing.error, "");
  const std::string path = dir.Write("f", "hello");
  const core::ReadFileResult read = core::ReadFile(path);
  EXPECT_FALSE(read.missing);
  EXPECT_EQ(read.error, "");
  EXPECT_EQ(read.bytes, "hello");
  const core::ReadFileResult directory = core::ReadFile(dir.path());
  EXPECT_FALSE(directory.missing);
  EXPECT_NE(directory.error, "");
}

TEST(AtomicFileTest, EnsureDirectory) {
  TempDir dir;
  EXPECT_EQ(core::EnsureDirectory(dir.path() + "/a/b/c"), "");
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() + "/a/b/c"));
  EXPECT_EQ(core::EnsureDirectory(dir.path() + "/a/b/c"), "");
  const std::string file = dir.Write("plain", "x");
  EXPECT_NE(core::EnsureDirectory(file + "/sub"), "");
}

}  // namespace
}  // namespace gatewatch::alert
