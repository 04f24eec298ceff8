// The notification dispatcher against real loopback receivers: retries, Retry-After,
// isolation from slow receivers, expiry, signatures, restarts, reloads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "alert/state_file.h"
#include "core/clock.h"
#include "notify/dispatcher.h"
#include "notify/signature.h"
#include "support/child_process.h"
#include "support/fake_webhook.h"
#include "support/manual_clock.h"
#include "support/nginx_fixture.h"
#include "support/wait.h"
#include "unit/notify/test_events.h"

namespace gatewatch::notify {
namespace {

using gatewatch::testing::FakeWebhook;
using gatewatch::testing::ManualClock;
using gatewatch::testing::PickFreePort;
using gatewatch::testing::TempDir;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::SampleEvent;
using RealClock = std::chrono::steady_clock;

config::NotifierSpec Notifier(const std::string& name, const std::string& url,
                              config::NotifierType type = config::NotifierType::kWebhook,
                              milliseconds timeout = milliseconds(200)) {
  config::NotifierSpec spec;
  spec.name = name;
  spec.type = type;
  spec.url = core::Secret(url);
  spec.timeout = timeout;
  return spec;
}

config::Config Config(std::vector<config::NotifierSpec> notifiers, std::string state_dir = "") {
  config::Config c;
  c.agent.state_dir = std::move(state_dir);
  c.agent.labels = {{"region", "eu-west-1"}};
  c.notifiers = std::move(notifiers);
  return c;
}

DispatcherOptions Options() {
  DispatcherOptions o;
  o.external_url = "http://127.0.0.1:9502/";
  o.seed = 1;
  return o;
}

alert::AlertEvent EventFor(std::vector<std::string> notify,
                           alert::EventKind kind = alert::EventKind::kFired,
                           const std::string& target = "checkout") {
  alert::AlertEvent e = SampleEvent(kind, "gateway-502", target);
  e.notify = std::move(notify);
  return e;
}

// Runs the dispatcher on the test thread until `done` (real time, bounded by `limit`).
bool DriveUntil(Dispatcher& d, const std::function<bool()>& done,
                milliseconds limit = milliseconds(3'000)) {
  const auto deadline = RealClock::now() + limit;
  while (!done()) {
    if (RealClock::now() >= deadline) return false;
    d.RunOnce(milliseconds(10));
  }
  return true;
}

// Runs the dispatcher for `span` of real time (to show that nothing more happens).
void DriveFor(Dispatcher& d, milliseconds span) {
  const auto deadline = RealClock::now() + span;
  while (RealClock::now() < deadline) d.RunOnce(milliseconds(10));
}

NotifierCounters CountersOf(const Dispatcher& d, const std::string& name) {
  const DispatcherStats stats = d.Stats();
  const auto it = stats.notifiers.find(name);
  return it == stats.notifiers.end() ? NotifierCounters{} : it->second;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(NotifyDispatcherTest, DeliveredOnceWithTheSameKeyAndBodyAcrossRetries) {
  FakeWebhook hook;
  hook.Start();
  hook.Script({500, 500, 500, 200});
  ManualClock clock;
  Dispatcher d(Config({Notifier("hook", hook.Url())}), clock, Options());
  const alert::AlertEvent event = EventFor({"hook"});
  d.Enqueue({event});
  ASSERT_TRUE(DriveUntil(d, [&] { return hook.Count() == 1; }));
  for (std::size_t n = 2; n <= 4; ++n) {
    ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "hook").retried == n - 1; }));
    // Full jitter: the retry is due within base * 2^(failures - 1).
    clock.Advance(seconds(1 << (n - 2)));
    d.Kick();
    ASSERT_TRUE(DriveUntil(d, [&] { return hook.Count() == n; })) << "attempt " << n;
  }
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "hook").delivered == 1; }));
  clock.Advance(minutes(30));
  DriveFor(d, milliseconds(100));

  const auto requests = hook.Requests();
  ASSERT_EQ(requests.size(), 4u);  // delivered exactly once: no attempt after the 200
  for (const auto& r : requests) {
    EXPECT_EQ(r.path, "/hook");
    EXPECT_EQ(r.Header("idempotency-key"), alert::IdempotencyKey(event));
    EXPECT_EQ(r.body, requests.front().body);
    EXPECT_EQ(r.Header("content-type"), "application/json");
  }
  const json body = json::parse(requests.front().body);
  EXPECT_EQ(body["version"], "4");
  EXPECT_EQ(body["receiver"], "hook");
  EXPECT_EQ(body["alerts"][0]["labels"]["target"], "checkout");
  const NotifierCounters c = CountersOf(d, "hook");
  EXPECT_EQ(c.delivered, 1u);
  EXPECT_EQ(c.retried, 3u);
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(c.dropped, 0u);
  EXPECT_TRUE(c.healthy);
  EXPECT_EQ(d.Stats().queue_depth, 0u);
}

TEST(NotifyDispatcherTest, RetryAfterSecondsIsRespected) {
  FakeWebhook hook;
  hook.Start();
  hook.Script({FakeWebhook::Answer(429, "slow down").RetryAfter("2"), 200});
  ManualClock clock;
  Dispatcher d(Config({Notifier("hook", hook.Url())}), clock, Options());
  d.Enqueue({EventFor({"hook"})});
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "hook").retried == 1; }));
  clock.Advance(milliseconds(1'900));
  DriveFor(d, milliseconds(150));
  EXPECT_EQ(hook.Count(), 1u) << "retried before Retry-After: 2 had passed";
  clock.Advance(milliseconds(100));
  d.Kick();
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "hook").delivered == 1; }));
  EXPECT_EQ(hook.Count(), 2u);
}

TEST(NotifyDispatcherTest, RetryAfterHttpDateIsRespectedOn503) {
  FakeWebhook hook;
  hook.Start();
  ManualClock clock;
  const std::time_t at = static_cast<std::time_t>(
      std::chrono::duration_cast<seconds>(clock.WallNow().time_since_epoch()).count() + 10);
  std::tm tm{};
  gmtime_r(&at, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  hook.Script({FakeWebhook::Answer(503).RetryAfter(date), 200});
  Dispatcher d(Config({Notifier("hook", hook.Url())}), clock, Options());
  d.Enqueue({EventFor({"hook"})});
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "hook").retried == 1; }));
  clock.Advance(seconds(9));
  DriveFor(d, milliseconds(100));
  EXPECT_EQ(hook.Count(), 1u);
  clock.Advance(seconds(1));
  d.Kick();
  ASSERT_TRUE(DriveUntil(d, [&] { return hook.Count() == 2; }));
}

TEST(NotifyDispatcherTest, HungReceiverDelaysNeitherOtherReceiversNorEnqueue) {
  FakeWebhook slow, fast;
  slow.Start();
  fast.Start();
  slow.Script({FakeWebhook::Answer(200).Delay(seconds(30))});
  ManualClock clock;
  // The hung attempt times out after 1.5s: a dispatcher that waited for it would deliver to
  // the healthy receiver too late.
  Dispatcher d(
      Config({Notifier("slow", slow.Url(), config::NotifierType::kWebhook, milliseconds(1'500)),
              Notifier("fast", fast.Url())}),
      clock, Options());
  d.Start();
  d.Enqueue({EventFor({"slow"})});
  ASSERT_TRUE(slow.WaitForRequests(1, seconds(2)));  // the slow one is now hanging

  const auto before = RealClock::now();
  d.Enqueue({EventFor({"slow", "fast"}, alert::EventKind::kFired, "search")});
  EXPECT_LT(RealClock::now() - before, milliseconds(50)) << "Enqueue waited";
  ASSERT_TRUE(fast.WaitForRequests(1, seconds(1)))
      << "the healthy receiver waited for the hung one";
  EXPECT_LT(RealClock::now() - before, milliseconds(1'000));

  // The hung attempt ends at its own timeout and is retried later; nothing was lost.
  EXPECT_TRUE(
      gatewatch::testing::WaitFor([&] { return CountersOf(d, "slow").retried >= 1; }, seconds(3)));
  EXPECT_FALSE(CountersOf(d, "slow").healthy);
  EXPECT_TRUE(gatewatch::testing::WaitFor([&] { return CountersOf(d, "fast").delivered == 1; },
                                          seconds(2)));
  EXPECT_EQ(d.Stats().queue_depth, 2u);  // both for "slow"
  d.Stop(milliseconds(0));
}

TEST(NotifyDispatcherTest, DownReceiverIsRetriedThenDroppedAfterMaxAge) {
  const int port = PickFreePort();  // nothing listens
  ManualClock clock;
  DispatcherOptions options = Options();
  options.max_age = std::chrono::hours(1);
  Dispatcher d(Config({Notifier("down", "http://127.0.0.1:" + std::to_string(port) + "/x")}), clock,
               options);
  d.Enqueue({EventFor({"down"})});
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "down").retried == 1; }));
  for (std::uint64_t n = 2; n <= 4; ++n) {
    clock.Advance(minutes(5));  // the maximum backoff: always due
    d.Kick();
    ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "down").retried == n; }));
  }
  EXPECT_EQ(d.Stats().queue_depth, 1u);
  EXPECT_FALSE(CountersOf(d, "down").healthy);
  clock.Advance(minutes(46));  // 61 minutes old now
  d.RunOnce(milliseconds(0));
  const NotifierCounters c = CountersOf(d, "down");
  EXPECT_EQ(c.dropped, 1u);
  EXPECT_EQ(c.delivered, 0u);
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(d.Stats().queue_depth, 0u);
}

TEST(NotifyDispatcherTest, SignatureVerifiesWithOpensslAndCustomHeadersArrive) {
  FakeWebhook hook;
  hook.Start();
  config::NotifierSpec spec = Notifier("signed", hook.Url("/in"));
  spec.secret = core::Secret("s3cret-key");
  spec.headers = {{"X-Team", core::Secret("payments")},
                  {"Authorization", core::Secret("Bearer abc")}};
  ManualClock clock;
  Dispatcher d(Config({spec}), clock, Options());
  d.Enqueue({EventFor({"signed"})});
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "signed").delivered == 1; }));
  const FakeWebhook::Request r = hook.Requests().at(0);
  EXPECT_EQ(r.Header("x-team"), "payments");
  EXPECT_EQ(r.Header("authorization"), "Bearer abc");
  const std::string signature = r.Header("x-gatewatch-signature");
  ASSERT_EQ(signature.rfind("sha256=", 0), 0u) << signature;

  // The receiver's side, independently of our code: openssl over the raw body received.
  TempDir dir;
  const std::string body_file = dir.Write("body", r.body);
  const auto result = gatewatch::testing::RunCommand(
      "openssl", {"dgst", "-sha256", "-hmac", "s3cret-key", body_file}, seconds(10));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string expected = result.output.substr(result.output.rfind("= ") + 2, 64);
  EXPECT_EQ(signature, "sha256=" + expected);
}

TEST(NotifyDispatcherTest, RestartAfterCrashDeliversPendingExactlyOnce) {
  TempDir state, crashed;
  const int port = PickFreePort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  ManualClock clock;
  const alert::AlertEvent event = EventFor({"hook"});
  {
    Dispatcher d(Config({Notifier("hook", url)}, state.path()), clock, Options());
    d.Enqueue({event});
    ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "hook").retried >= 1; }));
    // What a kill -9 now would leave on disk.
    std::filesystem::copy_file(OutboxFilePath(state.path()), OutboxFilePath(crashed.path()));
  }
  ManualClock later;
  later.Advance(minutes(10));
  FakeWebhook hook;
  hook.Start(port);
  {
    Dispatcher d(Config({Notifier("hook", url)}, crashed.path()), later, Options());
    EXPECT_EQ(d.load_report().entries, 1u);
    EXPECT_EQ(d.load_report().error, "");
    EXPECT_EQ(d.Stats().queue_depth, 1u);
    ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "hook").delivered == 1; }));
    later.Advance(minutes(30));
    DriveFor(d, milliseconds(100));
    d.Stop(milliseconds(0));
  }
  {
    // A third start on the same directory has nothing left to send.
    Dispatcher d(Config({Notifier("hook", url)}, crashed.path()), later, Options());
    EXPECT_EQ(d.load_report().entries, 0u);
    DriveFor(d, milliseconds(100));
  }
  ASSERT_EQ(hook.Count(), 1u);
  EXPECT_EQ(hook.Requests()[0].Header("idempotency-key"), alert::IdempotencyKey(event));
  EXPECT_EQ(json::parse(Slurp(OutboxFilePath(crashed.path())))["entries"], json::array());
}

std::size_t SavedEntries(const std::string& state_dir) {
  const json saved = json::parse(Slurp(OutboxFilePath(state_dir)), nullptr, false);
  return saved.is_object() ? saved["entries"].size() : 999;
}

TEST(NotifyDispatcherTest, SavesNewNotificationsPromptlyAndProgressLazily) {
  TempDir state;
  const int port = PickFreePort();
  ManualClock clock;
  Dispatcher down(
      Config({Notifier("down", "http://127.0.0.1:" + std::to_string(port) + "/")}, state.path()),
      clock, Options());
  down.Enqueue({EventFor({"down"})});
  down.RunOnce(milliseconds(0));
  EXPECT_EQ(SavedEntries(state.path()), 1u);  // the first change is saved at once
  down.Enqueue({EventFor({"down"}, alert::EventKind::kFired, "search")});
  down.RunOnce(milliseconds(0));
  EXPECT_EQ(SavedEntries(state.path()), 1u);  // batched: within persist_interval
  clock.Advance(milliseconds(100));
  down.RunOnce(milliseconds(0));
  EXPECT_EQ(SavedEntries(state.path()), 2u);

  TempDir state2;
  FakeWebhook hook;
  hook.Start();
  Dispatcher up(Config({Notifier("hook", hook.Url())}, state2.path()), clock, Options());
  up.Enqueue({EventFor({"hook"})});
  ASSERT_TRUE(DriveUntil(up, [&] { return CountersOf(up, "hook").delivered == 1; }));
  EXPECT_EQ(SavedEntries(state2.path()), 1u);  // delivered, not yet saved as such
  clock.Advance(seconds(2));
  up.RunOnce(milliseconds(0));
  EXPECT_EQ(SavedEntries(state2.path()), 0u);
}

std::vector<alert::SavedAlert> SavedAlerts(std::size_t n) {
  std::vector<alert::SavedAlert> alerts;
  for (std::size_t i = 0; i < n; ++i) {
    alert::SavedAlert a;
    a.rule = "gateway-502";
    a.target = "t" + std::to_string(i);
    a.sequence = 1;
    alerts.push_back(a);
  }
  return alerts;
}

std::size_t SavedAlertCount(const std::string& state_dir, const ManualClock& clock) {
  return alert::LoadAlertState(alert::StateFilePath(state_dir), clock.WallNow()).alerts.size();
}

TEST(NotifyDispatcherTest, AlertStateIsNeverSavedAheadOfTheOutbox) {
  TempDir state;
  const int port = PickFreePort();
  ManualClock clock;
  {
    Dispatcher d(
        Config({Notifier("down", "http://127.0.0.1:" + std::to_string(port) + "/")}, state.path()),
        clock, Options());
    d.Enqueue({EventFor({"down"}, alert::EventKind::kFired, "t0")});
    d.SaveAlertState(SavedAlerts(1));
    d.RunOnce(milliseconds(0));
    EXPECT_EQ(SavedEntries(state.path()), 1u);
    EXPECT_EQ(SavedAlertCount(state.path(), clock), 1u);

    // The outbox save is held back by persist_interval, so the alert state waits for it.
    d.Enqueue({EventFor({"down"}, alert::EventKind::kFired, "t1")});
    d.SaveAlertState(SavedAlerts(2));
    d.RunOnce(milliseconds(0));
    EXPECT_EQ(SavedEntries(state.path()), 1u);
    EXPECT_EQ(SavedAlertCount(state.path(), clock), 1u);
    clock.Advance(milliseconds(100));
    d.RunOnce(milliseconds(0));
    EXPECT_EQ(SavedEntries(state.path()), 2u);
    EXPECT_EQ(SavedAlertCount(state.path(), clock), 2u);

    // Handed over but never taken in by an iteration: the shutdown still saves both.
    d.Enqueue({EventFor({"down"}, alert::EventKind::kFired, "t2")});
    d.SaveAlertState(SavedAlerts(3));
  }
  EXPECT_EQ(SavedEntries(state.path()), 3u);
  EXPECT_EQ(SavedAlertCount(state.path(), clock), 3u);
}

TEST(NotifyDispatcherTest, MemoryOnlyWritesNoFiles) {
  FakeWebhook hook;
  hook.Start();
  ManualClock clock;
  {
    Dispatcher d(Config({Notifier("hook", hook.Url())}, ""), clock, Options());
    d.Enqueue({EventFor({"hook"})});
    d.SaveAlertState(SavedAlerts(1));
    ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "hook").delivered == 1; }));
  }
  EXPECT_FALSE(std::filesystem::exists("outbox.json"));
  EXPECT_FALSE(std::filesystem::exists("alerts.json"));
}

TEST(NotifyDispatcherTest, CorruptOutboxIsSetAsideAndTheDispatcherWorks) {
  TempDir state;
  state.Write("outbox.json", "{\"version\":1,\"next_id\":3,\"entries\":[{\"id\":1,");
  FakeWebhook hook;
  hook.Start();
  ManualClock clock;
  Dispatcher d(Config({Notifier("hook", hook.Url())}, state.path()), clock, Options());
  EXPECT_NE(d.load_report().error.find("corrupt"), std::string::npos) << d.load_report().error;
  EXPECT_TRUE(std::filesystem::exists(d.load_report().set_aside_path));
  d.Enqueue({EventFor({"hook"})});
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "hook").delivered == 1; }));
}

TEST(NotifyDispatcherTest, ResolvedGoesOnlyToNotifiersWithSendResolved) {
  FakeWebhook all, firing_only;
  all.Start();
  firing_only.Start();
  config::NotifierSpec quiet = Notifier("quiet", firing_only.Url());
  quiet.send_resolved = false;
  ManualClock clock;
  Dispatcher d(Config({Notifier("all", all.Url()), quiet}), clock, Options());
  d.Enqueue({EventFor({"all", "quiet"}), EventFor({"all", "quiet"}, alert::EventKind::kResolved)});
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "all").delivered == 2; }));
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "quiet").delivered == 1; }));
  DriveFor(d, milliseconds(50));
  EXPECT_EQ(firing_only.Count(), 1u);
  // In order: the firing notification before its resolve.
  const auto got = all.Requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(json::parse(got[0].body)["status"], "firing");
  EXPECT_EQ(json::parse(got[1].body)["status"], "resolved");
}

TEST(NotifyDispatcherTest, PermanentRejectionIsCountedAndDropped) {
  FakeWebhook hook;
  hook.Start();
  hook.Script({FakeWebhook::Answer(400, "invalid_payload"), 200});
  ManualClock clock;
  Dispatcher d(Config({Notifier("hook", hook.Url())}), clock, Options());
  d.Enqueue({EventFor({"hook"}), EventFor({"hook"}, alert::EventKind::kFired, "search")});
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "hook").delivered == 1; }));
  const NotifierCounters c = CountersOf(d, "hook");
  EXPECT_EQ(c.failed, 1u);
  EXPECT_EQ(c.retried, 0u);
  EXPECT_TRUE(c.healthy);
  EXPECT_EQ(hook.Count(), 2u);  // no retry of the rejected one
  EXPECT_EQ(d.Stats().queue_depth, 0u);
}

TEST(NotifyDispatcherTest, FullOutboxDropsTheOldest) {
  const int port = PickFreePort();
  ManualClock clock;
  DispatcherOptions options = Options();
  options.capacity = 2;
  Dispatcher d(Config({Notifier("down", "http://127.0.0.1:" + std::to_string(port) + "/")}), clock,
               options);
  d.Enqueue({EventFor({"down"}, alert::EventKind::kFired, "a")});
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "down").retried == 1; }));
  d.Enqueue({EventFor({"down"}, alert::EventKind::kFired, "b"),
             EventFor({"down"}, alert::EventKind::kFired, "c")});
  d.RunOnce(milliseconds(0));
  EXPECT_EQ(CountersOf(d, "down").dropped, 1u);
  EXPECT_EQ(d.Stats().queue_depth, 2u);
}

TEST(NotifyDispatcherTest, ReloadDropsQueuedNotificationsOfRemovedNotifiers) {
  FakeWebhook keep;
  keep.Start();
  const int port = PickFreePort();
  ManualClock clock;
  const config::Config before =
      Config({Notifier("gone", "http://127.0.0.1:" + std::to_string(port) + "/"),
              Notifier("keep", keep.Url())});
  Dispatcher d(before, clock, Options());
  d.Enqueue({EventFor({"gone"}), EventFor({"gone"}, alert::EventKind::kFired, "search")});
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "gone").retried == 1; }));
  EXPECT_EQ(d.Stats().queue_depth, 2u);
  d.Reconfigure(Config({Notifier("keep", keep.Url())}));
  d.RunOnce(milliseconds(0));
  EXPECT_EQ(CountersOf(d, "gone").dropped, 2u);
  EXPECT_EQ(d.Stats().queue_depth, 0u);
  d.Enqueue({EventFor({"gone", "keep"})});
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "keep").delivered == 1; }));
  EXPECT_EQ(CountersOf(d, "gone").dropped, 2u);
}

TEST(NotifyDispatcherTest, StopDeliversWithinGraceAndSavesTheRest) {
  TempDir state;
  FakeWebhook up;
  up.Start();
  const int port = PickFreePort();
  ManualClock clock;
  Dispatcher d(Config({Notifier("up", up.Url()),
                       Notifier("down", "http://127.0.0.1:" + std::to_string(port) + "/")},
                      state.path()),
               clock, Options());
  d.Start();
  d.Enqueue({EventFor({"up", "down"})});
  const auto before = RealClock::now();
  d.Stop(milliseconds(500));
  EXPECT_LT(RealClock::now() - before, milliseconds(2'000));
  EXPECT_EQ(up.Count(), 1u);
  EXPECT_EQ(CountersOf(d, "up").delivered, 1u);
  const json saved = json::parse(Slurp(OutboxFilePath(state.path())));
  ASSERT_EQ(saved["entries"].size(), 1u);
  EXPECT_EQ(saved["entries"][0]["notifier"], "down");
}

TEST(NotifyDispatcherTest, AlertmanagerNotifierResendsFiringAlertsAndEndsThemOnResolve) {
  FakeWebhook am;
  am.Start();
  ManualClock clock;
  Dispatcher d(Config({Notifier("am", am.Url("/"), config::NotifierType::kAlertmanager)}), clock,
               Options());
  d.Enqueue({EventFor({"am"})});
  ASSERT_TRUE(DriveUntil(d, [&] { return am.Count() == 1; }));
  ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "am").delivered == 1; }));
  json first = json::parse(am.Requests()[0].body);
  EXPECT_EQ(am.Requests()[0].path, "/api/v2/alerts");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]["labels"]["alertname"], "gateway-502");
  EXPECT_EQ(first[0]["endsAt"], core::FormatRfc3339(clock.WallNow() + minutes(4)));

  // A reminder updates the set but sends nothing by itself.
  d.Enqueue({EventFor({"am"}, alert::EventKind::kReminder)});
  DriveFor(d, milliseconds(100));
  EXPECT_EQ(am.Count(), 1u);

  clock.Advance(minutes(1));  // resend_interval
  d.Kick();
  ASSERT_TRUE(DriveUntil(d, [&] { return am.Count() == 2; }));
  const json again = json::parse(am.Requests()[1].body);
  EXPECT_EQ(again[0]["labels"], first[0]["labels"]);
  EXPECT_EQ(again[0]["endsAt"], core::FormatRfc3339(clock.WallNow() + minutes(4)));

  alert::AlertEvent resolved = EventFor({"am"}, alert::EventKind::kResolved);
  resolved.ended_at = clock.WallNow();
  d.Enqueue({resolved});
  ASSERT_TRUE(DriveUntil(d, [&] { return am.Count() == 3; }));
  const json end = json::parse(am.Requests()[2].body);
  EXPECT_EQ(end[0]["endsAt"], core::FormatRfc3339(clock.WallNow()));

  clock.Advance(minutes(5));
  d.Kick();
  DriveFor(d, milliseconds(100));
  EXPECT_EQ(am.Count(), 3u) << "a resolved alert was re-sent";
}

TEST(NotifyDispatcherTest, AlertmanagerFiringSetSurvivesARestart) {
  TempDir state;
  FakeWebhook am;
  am.Start();
  ManualClock clock;
  const config::Config config =
      Config({Notifier("am", am.Url(), config::NotifierType::kAlertmanager)}, state.path());
  {
    Dispatcher d(config, clock, Options());
    d.Enqueue({EventFor({"am"})});
    ASSERT_TRUE(DriveUntil(d, [&] { return CountersOf(d, "am").delivered == 1; }));
  }
  Dispatcher d(config, clock, Options());
  // At once after the start: Alertmanager must hear from us before its timeout.
  ASSERT_TRUE(DriveUntil(d, [&] { return am.Count() == 2; }));
  EXPECT_EQ(json::parse(am.Requests()[1].body)[0]["labels"]["target"], "checkout");
}

TEST(NotifyDispatcherTest, SendTestReportsTheReceiversAnswer) {
  FakeWebhook ok, bad;
  ok.Start();
  bad.Start();
  bad.Script({FakeWebhook::Answer(403, "invalid_token")});
  const int port = PickFreePort();
  ManualClock clock;
  Dispatcher d(
      Config({Notifier("ok", ok.Url(), config::NotifierType::kSlack), Notifier("bad", bad.Url()),
              Notifier("down", "http://127.0.0.1:" + std::to_string(port) + "/")}),
      clock, Options());
  const TestResult good = d.SendTest("ok", seconds(2));
  EXPECT_TRUE(good.ok);
  EXPECT_EQ(good.http_status, 200);
  EXPECT_EQ(good.detail, "ok");
  ASSERT_EQ(ok.Count(), 1u);
  EXPECT_NE(json::parse(ok.Requests()[0].body)["text"].get<std::string>().find("[TEST]"),
            std::string::npos);

  const TestResult rejected = d.SendTest("bad", seconds(2));
  EXPECT_FALSE(rejected.ok);
  EXPECT_EQ(rejected.http_status, 403);
  EXPECT_EQ(rejected.detail, "invalid_token");

  const TestResult refused = d.SendTest("down", seconds(2));
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.http_status, 0);
  EXPECT_NE(refused.detail.find("refused"), std::string::npos) << refused.detail;

  const TestResult unknown = d.SendTest("nope", seconds(2));
  EXPECT_FALSE(unknown.ok);
  EXPECT_NE(unknown.detail.find("nope"), std::string::npos);
  // None of this went through the outbox.
  EXPECT_EQ(d.Stats().queue_depth, 0u);
  EXPECT_EQ(CountersOf(d, "ok").delivered, 0u);
}

}  // namespace
}  // namespace gatewatch::notify
