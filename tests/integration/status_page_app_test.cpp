// The status page's data from the assembled agent: the sparkline the loop publishes in every
// snapshot, and the detail view's recent results, which a server thread asks the probe loop for
// (a bounded request/reply, answered between loop iterations).
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <future>
#include <thread>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "config/load.h"
#include "support/fake_upstream.h"
#include "support/manual_clock.h"
#include "support/wait.h"

namespace gatewatch::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

config::Config Parse(const std::string& toml) {
  auto result =
      config::ParseConfig(toml, "test.toml", [](std::string_view) { return std::nullopt; });
  std::string errors;
  for (const auto& e : result.errors) errors += e.ToString() + "\n";
  EXPECT_TRUE(result.config.has_value()) << errors;
  return result.config ? std::move(*result.config) : config::Config{};
}

constexpr const char* kNginx502Page =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    "Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";

class StatusPageApp : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_.Set("/ok", FakeUpstream::Step(200, "ok"));
    // nginx's own 502 page, as a gateway with a dead upstream sends it.
    backend_.Set("/bad", FakeUpstream::Step(502, kNginx502Page).Header("Server", "nginx/1.22.1"));
    backend_.Start();
    options_.clock = &clock_;
    options_.seed = 7;
    config_ =
        "[agent]\nlisten = \"127.0.0.1:0\"\nwindows = [\"1m\"]\n\n"
        "[defaults]\ninterval = \"1s\"\ntimeout = \"200ms\"\n\n"
        "[[target]]\nname = \"good\"\nurl = \"" +
        backend_.Url("/ok") +
        "\"\n\n"
        "[[target]]\nname = \"broken\"\nurl = \"" +
        backend_.Url("/bad") + "\"\n";
    app_ = std::make_unique<app::App>(Parse(config_), options_);
  }

  // One simulated second: every target is due once; waits (really) for their answers.
  void Cycle() {
    clock_.Advance(seconds(1));
    std::uint64_t want = 2;
    const auto before = app_->Snapshot();  // held: nothing else keeps a snapshot alive
    for (const auto& t : before->targets) want += t->probes_total;
    WaitFor(
        [&] {
          app_->Step(milliseconds(20));
          app_->PublishSnapshot();
          std::uint64_t got = 0;
          const auto now = app_->Snapshot();
          for (const auto& t : now->targets) got += t->probes_total;
          return got >= want;
        },
        seconds(3));
  }

  // GETs `path` on a client thread while this thread keeps stepping the loop, which is what
  // answers the server thread's request for recent results.
  httplib::Result GetWhileStepping(const std::string& path) {
    auto reply = std::async(std::launch::async, [this, path] {
      httplib::Client client("127.0.0.1", app_->http_port());
      client.set_read_timeout(seconds(5));
      return client.Get(path);
    });
    WaitFor(
        [&] {
          app_->Step(milliseconds(5));
          return reply.wait_for(milliseconds(0)) == std::future_status::ready;
        },
        seconds(5));
    return reply.get();
  }

  FakeUpstream backend_;
  ManualClock clock_;
  std::string config_;
  app::AppOptions options_;
  std::unique_ptr<app::App> app_;
};

TEST_F(StatusPageApp, SnapshotCarriesASparklineOfThe502ShareAndLatency) {
  for (int i = 0; i < 5; ++i) Cycle();
  const auto snapshot = app_->Snapshot();
  ASSERT_EQ(snapshot->targets.size(), 2u);
  for (const auto& target : snapshot->targets) {
    const status::TargetStatus& t = *target;
    SCOPED_TRACE(t.name);
    EXPECT_EQ(t.sparkline.width, seconds(30)) << "half the 1m window";
    EXPECT_FALSE(t.sparkline.empty());
    const auto last = status::Sparkline::kPoints - 1;
    // Five probes a second apart fall in the newest one or two 30 s points.
    const auto ratio = status::Sparkline::DecodeRatio(t.sparkline.ratio_502[last]);
    const auto previous = status::Sparkline::DecodeRatio(t.sparkline.ratio_502[last - 1]);
    const double shown = ratio ? *ratio : *previous;
    EXPECT_DOUBLE_EQ(shown, t.name == "broken" ? 1.0 : 0.0);
    for (std::size_t i = 0; i + 2 < status::Sparkline::kPoints; ++i) {
      EXPECT_EQ(t.sparkline.latency[i], status::Sparkline::kEmpty) << i;
    }
  }
}

TEST_F(StatusPageApp, DetailViewAndHistoryComeFromTheLoopOnRequest) {
  for (int i = 0; i < 3; ++i) Cycle();

  auto res = GetWhileStepping("/api/v1/targets/broken/history");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  ASSERT_EQ(res->status, 200) << res->body;
  const auto doc = nlohmann::json::parse(res->body);
  EXPECT_EQ(doc["target"], "broken");
  ASSERT_EQ(doc["results"].size(), 3u);
  const auto& newest = doc["results"][0];
  EXPECT_EQ(newest["status"], 502);
  EXPECT_EQ(newest["reason"], "status");
  EXPECT_EQ(newest["responder"]["name"], "nginx");
  EXPECT_EQ(newest["summary"], "502 from nginx (gateway)");
  EXPECT_TRUE(newest["phases"].contains("connect"));
  EXPECT_GT(newest["latency_seconds"].get<double>(), 0.0);
  // Newest first, a simulated second apart.
  EXPECT_GT(newest["started"].get<std::string>(), doc["results"][2]["started"].get<std::string>());

  res = GetWhileStepping("/target/broken");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("<span class=\"st down\">FAIL</span> 502 from nginx (gateway)"),
            std::string::npos);
  EXPECT_EQ(res->body.find("recent-missing"), std::string::npos);

  res = GetWhileStepping("/api/v1/targets/good/history");
  ASSERT_TRUE(res);
  const auto good = nlohmann::json::parse(res->body);
  ASSERT_EQ(good["results"].size(), 3u);
  EXPECT_EQ(good["results"][0]["summary"], "200");
  EXPECT_TRUE(good["results"][0]["success"].get<bool>());
}

// With Run() on its own thread, readers never touch loop state: /readyz answers from the
// loop's counters without a snapshot, and a snapshot is built by the loop when asked for,
// shared by readers within a second while one of them holds it.
TEST_F(StatusPageApp, WhileRunIsActiveTheLoopBuildsSnapshotsOnRequest) {
  std::thread loop([this] { app_->Run(); });
  httplib::Client client("127.0.0.1", app_->http_port());
  client.set_read_timeout(seconds(5));
  auto res = client.Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(res->body.find("waiting for the first probe of 2 of 2 targets"), std::string::npos)
      << res->body;

  clock_.Advance(seconds(1));  // both targets are due within their first second
  auto first = app_->Snapshot();  // also wakes the loop, which starts the due probes
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->targets.size(), 2u);
  EXPECT_EQ(app_->Snapshot().get(), first.get()) << "held and under a second old: shared";
  EXPECT_TRUE(WaitFor([&] { return app_->Readiness().ready; }));
  res = client.Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;

  clock_.Advance(seconds(1));
  const auto later = app_->Snapshot();
  ASSERT_NE(later, nullptr);
  EXPECT_NE(later.get(), first.get()) << "over a second old: built again";
  EXPECT_TRUE(later->agent.ready);
  for (const auto& t : later->targets) {
    ASSERT_NE(t->last, nullptr) << t->name;
    EXPECT_EQ(t->last->http_status, t->name == "broken" ? 502 : 200);
  }
  first.reset();
  res = client.Get("/api/v1/targets?target=broken");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(nlohmann::json::parse(res->body)["targets"][0]["last"]["status"], 502);

  app_->Stop();
  loop.join();
  // After Run() returns, a reader builds its own (nobody else is left to ask).
  EXPECT_EQ(app_->Snapshot()->targets.size(), 2u);
}

// Takes the bound itself (2 s). A loop stuck in one iteration (here a reload hook that
// blocks) cannot build a snapshot: the reader waits its bound, then gets the last snapshot
// some reader still holds, which beats a 503.
TEST_F(StatusPageApp, AStuckLoopCostsASnapshotReaderABoundedWait) {
  std::promise<void> unblock;
  std::shared_future<void> unblocked = unblock.get_future().share();
  std::atomic<bool> stuck{false};
  options_.on_reload_start = [&stuck, unblocked] {
    stuck.store(true);
    unblocked.wait_for(seconds(10));
  };
  app_ = std::make_unique<app::App>(Parse(config_), options_);
  std::thread loop([this] { app_->Run(); });
  const auto held = app_->Snapshot();  // built by the loop while it still answers
  ASSERT_NE(held, nullptr);
  auto reload = std::async(std::launch::async, [this] { return app_->RequestReload(); });
  ASSERT_TRUE(WaitFor([&] { return stuck.load(); }));
  clock_.Advance(seconds(2));  // `held` is now too old to be handed out without asking
  const auto start = std::chrono::steady_clock::now();
  const auto got = app_->Snapshot();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(got.get(), held.get());
  EXPECT_GE(took, milliseconds(1900));
  EXPECT_LT(took, seconds(4));
  unblock.set_value();
  reload.get();
  app_->Stop();
  loop.join();
}

// Takes the bound itself (2 s): nothing else shows the wait ends.
TEST_F(StatusPageApp, ALoopThatDoesNotAnswerCostsTheClientABoundedWait) {
  Cycle();
  // Nobody steps the loop: the request waits its bound, then the API says so.
  httplib::Client client("127.0.0.1", app_->http_port());
  client.set_read_timeout(seconds(10));
  const auto start = std::chrono::steady_clock::now();
  auto res = client.Get("/api/v1/targets/broken/history");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_GE(took, milliseconds(1900));
  EXPECT_LT(took, seconds(4));
  // Unanswered requests do not pile up: the loop answers the queued ones and carries on.
  app_->Step(milliseconds(5));
  res = GetWhileStepping("/api/v1/targets/broken/history");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

}  // namespace
}  // namespace gatewatch::testing
