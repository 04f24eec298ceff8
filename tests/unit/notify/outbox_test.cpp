// The outbox: order per notifier, drop-oldest when full, expiry, and its file (round trip,
// corrupt files set aside).
#include "notify/outbox.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "support/child_process.h"
#include "support/manual_clock.h"

namespace gatewatch::notify {
namespace {

using gatewatch::testing::ManualClock;
using gatewatch::testing::TempDir;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

OutboxEntry Entry(const std::string& notifier, const std::string& key, const ManualClock& clock) {
  OutboxEntry e;
  e.notifier = notifier;
  e.type = "webhook";
  e.idempotency_key = key;
  e.body = "{\"key\":\"" + key + "\"}";
  e.next_attempt = clock.Now();
  e.enqueued = clock.Now();
  e.enqueued_wall = clock.WallNow();
  return e;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(OutboxTest, KeepsArrivalOrderPerNotifier) {
  ManualClock clock;
  Outbox box("", 10);
  EXPECT_FALSE(box.Push(Entry("a", "a1", clock)));
  EXPECT_FALSE(box.Push(Entry("b", "b1", clock)));
  EXPECT_FALSE(box.Push(Entry("a", "a2", clock)));
  EXPECT_EQ(box.size(), 3u);
  EXPECT_EQ(box.Notifiers(), (std::vector<std::string>{"a", "b"}));
  ASSERT_NE(box.Front("a"), nullptr);
  EXPECT_EQ(box.Front("a")->idempotency_key, "a1");
  const std::uint64_t first_id = box.Front("a")->id;
  box.PopFront("a");
  EXPECT_EQ(box.Front("a")->idempotency_key, "a2");
  EXPECT_GT(box.Front("a")->id, first_id);
  box.PopFront("a");
  EXPECT_EQ(box.Front("a"), nullptr);
  EXPECT_EQ(box.Notifiers(), (std::vector<std::string>{"b"}));
  EXPECT_EQ(box.size(), 1u);
  box.PopFront("nobody");
  EXPECT_EQ(box.size(), 1u);
}

TEST(OutboxTest, FullDropsTheOldest) {
  ManualClock clock;
  Outbox box("", 3);
  box.Push(Entry("a", "1", clock));
  box.Push(Entry("b", "2", clock));
  box.Push(Entry("a", "3", clock));
  const auto dropped = box.Push(Entry("b", "4", clock));
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->idempotency_key, "1");
  EXPECT_EQ(box.size(), 3u);
  EXPECT_EQ(box.Front("a")->idempotency_key, "3");
  const auto again = box.Push(Entry("c", "5", clock));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->idempotency_key, "2");
  EXPECT_EQ(box.size(), 3u);
}

TEST(OutboxTest, FullNeverDropsWhatIsInFlight) {
  ManualClock clock;
  Outbox box("", 2);
  box.Push(Entry("a", "1", clock));
  box.Push(Entry("a", "2", clock));
  box.Front("a")->in_flight = true;
  const auto dropped = box.Push(Entry("b", "3", clock));
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->idempotency_key, "2");
  EXPECT_EQ(box.Front("a")->idempotency_key, "1");
  EXPECT_EQ(box.size(), 2u);
}

TEST(OutboxTest, ExpireDropsOldEntriesButNotInFlight) {
  ManualClock clock;
  Outbox box("", 10);
  box.Push(Entry("a", "old1", clock));
  box.Push(Entry("b", "old2", clock));
  box.Push(Entry("b", "old3", clock));
  clock.Advance(hours(2));
  box.Push(Entry("a", "new", clock));
  box.Front("b")->in_flight = true;
  std::vector<std::string> dropped;
  box.Expire(clock.Now() - hours(1),
             [&dropped](const OutboxEntry& e) { dropped.push_back(e.idempotency_key); });
  EXPECT_EQ(dropped, (std::vector<std::string>{"old1", "old3"}));
  EXPECT_EQ(box.size(), 2u);
  EXPECT_EQ(box.Front("a")->idempotency_key, "new");
  EXPECT_EQ(box.Front("b")->idempotency_key, "old2");
}

TEST(OutboxTest, NextDueSkipsInFlight) {
  ManualClock clock;
  Outbox box("", 10);
  EXPECT_EQ(box.NextDue(), std::nullopt);
  OutboxEntry a = Entry("a", "1", clock);
  a.next_attempt = clock.Now() + seconds(5);
  box.Push(a);
  OutboxEntry b = Entry("b", "2", clock);
  b.next_attempt = clock.Now() + seconds(1);
  box.Push(b);
  EXPECT_EQ(box.NextDue(), clock.Now() + seconds(1));
  box.Front("b")->in_flight = true;
  EXPECT_EQ(box.NextDue(), clock.Now() + seconds(5));
}

TEST(OutboxTest, RemoveNotifier) {
  ManualClock clock;
  Outbox box("", 10);
  box.Push(Entry("a", "1", clock));
  box.Push(Entry("a", "2", clock));
  box.Push(Entry("b", "3", clock));
  EXPECT_EQ(box.RemoveNotifier("a"), 2u);
  EXPECT_EQ(box.RemoveNotifier("a"), 0u);
  EXPECT_EQ(box.size(), 1u);
}

TEST(OutboxTest, SaveAndLoadRoundTrip) {
  TempDir dir;
  const std::string path = OutboxFilePath(dir.path());
  ManualClock clock;
  {
    Outbox box(path, 10);
    box.Push(Entry("a", "1", clock));
    clock.Advance(seconds(30));
    OutboxEntry second = Entry("b", "2", clock);
    second.attempts = 3;
    second.last_error = "HTTP 500: \"oops\"\nline";
    second.body = "{\"text\":\"caf\u00e9 \\\" quote\"}";
    box.Push(second);
    box.Front("a")->in_flight = true;
    box.SetFiring("am", "fp1", R"({"labels":{"alertname":"x"}})");
    EXPECT_TRUE(box.dirty());
    EXPECT_EQ(box.Save(), "");
    EXPECT_FALSE(box.dirty());
  }
  clock.Advance(seconds(60));
  Outbox loaded(path, 10);
  const Outbox::LoadReport report = loaded.Load(clock.Now(), clock.WallNow());
  EXPECT_EQ(report.error, "");
  EXPECT_EQ(report.entries, 2u);
  ASSERT_NE(loaded.Front("a"), nullptr);
  ASSERT_NE(loaded.Front("b"), nullptr);
  const OutboxEntry& a = *loaded.Front("a");
  const OutboxEntry& b = *loaded.Front("b");
  EXPECT_FALSE(a.in_flight);
  EXPECT_EQ(a.idempotency_key, "1");
  EXPECT_EQ(a.type, "webhook");
  EXPECT_EQ(a.next_attempt, clock.Now());
  EXPECT_EQ(clock.Now() - a.enqueued, seconds(90));  // age survives the restart
  EXPECT_EQ(clock.Now() - b.enqueued, seconds(60));
  EXPECT_EQ(b.attempts, 3u);
  EXPECT_EQ(b.last_error, "HTTP 500: \"oops\"\nline");
  EXPECT_EQ(b.body, "{\"text\":\"caf\u00e9 \\\" quote\"}");
  EXPECT_LT(a.id, b.id);
  ASSERT_NE(loaded.Firing("am"), nullptr);
  EXPECT_EQ(loaded.Firing("am")->at("fp1"), R"({"labels":{"alertname":"x"}})");
  // Ids continue after the saved ones.
  loaded.Push(Entry("a", "3", clock));
  loaded.PopFront("a");
  EXPECT_GT(loaded.Front("a")->id, b.id);
}

TEST(OutboxTest, LoadKeepsTheNewestWhenTheFileHasMoreThanCapacity) {
  TempDir dir;
  const std::string path = OutboxFilePath(dir.path());
  ManualClock clock;
  Outbox big(path, 10);
  for (int i = 0; i < 5; ++i) big.Push(Entry("a", std::to_string(i), clock));
  ASSERT_EQ(big.Save(), "");
  Outbox small(path, 2);
  EXPECT_EQ(small.Load(clock.Now(), clock.WallNow()).entries, 2u);
  EXPECT_EQ(small.Front("a")->idempotency_key, "3");
}

TEST(OutboxTest, WallClockGoingBackCountsAsAgeZero) {
  TempDir dir;
  const std::string path = OutboxFilePath(dir.path());
  ManualClock clock;
  Outbox box(path, 10);
  OutboxEntry e = Entry("a", "1", clock);
  e.enqueued_wall = clock.WallNow() + hours(1);  // written by a clock that was ahead
  box.Push(e);
  ASSERT_EQ(box.Save(), "");
  Outbox loaded(path, 10);
  loaded.Load(clock.Now(), clock.WallNow());
  EXPECT_EQ(loaded.Front("a")->enqueued, clock.Now());
}

TEST(OutboxTest, MissingFileIsEmptyAndMemoryOnlyWritesNothing) {
  TempDir dir;
  ManualClock clock;
  Outbox box(OutboxFilePath(dir.path()), 10);
  const Outbox::LoadReport report = box.Load(clock.Now(), clock.WallNow());
  EXPECT_EQ(report.error, "");
  EXPECT_TRUE(box.empty());

  Outbox memory("", 10);
  EXPECT_EQ(memory.Load(clock.Now(), clock.WallNow()).error, "");
  memory.Push(Entry("a", "1", clock));
  EXPECT_EQ(memory.Save(), "");
  EXPECT_FALSE(memory.dirty());
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(OutboxTest, CorruptFilesAreSetAsideNeverThrown) {
  ManualClock clock;
  const std::string good = [&clock] {
    Outbox box("", 10);
    box.Push(Entry("a", "1", clock));
    box.SetFiring("am", "fp", R"({"labels":{}})");
    return box.Serialize();
  }();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"truncated", good.substr(0, good.size() / 2)},
      {"empty", ""},
      {"garbage", "\x01\x02 not json"},
      {"array", "[]"},
      {"future version", R"({"version":99,"next_id":1,"entries":[],"firing":{}})"},
      {"entry wrong type",
       R"({"version":1,"next_id":5,"entries":[{"id":"1","notifier":"a","type":"webhook",)"
       R"("key":"k","body":"b","attempts":0,"enqueued_ms":0,"last_error":""}],"firing":{}})"},
      {"entry missing key",
       R"({"version":1,"next_id":5,"entries":[{"id":1,"notifier":"a","type":"webhook",)"
       R"("body":"b","attempts":0,"enqueued_ms":0,"last_error":""}],"firing":{}})"},
      {"id beyond next_id",
       R"({"version":1,"next_id":1,"entries":[{"id":7,"notifier":"a","type":"webhook",)"
       R"("key":"k","body":"b","attempts":0,"enqueued_ms":0,"last_error":""}],"firing":{}})"},
      {"firing not an object text",
       R"({"version":1,"next_id":1,"entries":[],"firing":{"am":{"fp":"[1,2"}}})"},
  };
  for (const auto& [name, text] : cases) {
    SCOPED_TRACE(name);
    TempDir dir;
    const std::string path = dir.Write("outbox.json", text);
    Outbox box(path, 10);
    const Outbox::LoadReport report = box.Load(clock.Now(), clock.WallNow());
    EXPECT_NE(report.error, "");
    EXPECT_NE(report.error.find("corrupt"), std::string::npos) << report.error;
    EXPECT_TRUE(box.empty());
    EXPECT_EQ(box.Firing("am"), nullptr);
    EXPECT_FALSE(std::filesystem::exists(path));
    ASSERT_NE(report.set_aside_path, "");
    EXPECT_EQ(report.set_aside_path, path + ".corrupt-1790000000");
    EXPECT_EQ(Slurp(report.set_aside_path), text);
    // The outbox works on: the next save writes a good file.
    box.Push(Entry("a", "fresh", clock));
    EXPECT_EQ(box.Save(), "");
    Outbox again(path, 10);
    EXPECT_EQ(again.Load(clock.Now(), clock.WallNow()).entries, 1u);
  }
}

}  // namespace
}  // namespace gatewatch::notify
