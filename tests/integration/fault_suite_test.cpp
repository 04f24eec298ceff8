// The fault suite: the real gatewatch binary watching one healthy control target next to
// targets and receivers that misbehave in every way we know, and with a state_dir it cannot
// write. For each fault: the agent stays up (/healthz), names the failure (/api/v1/targets),
// keeps the control target on schedule, keeps its memory bounded, and delivers every alert
// exactly once. Single faults at the prober and dispatcher level are covered in
// prober_test.cpp, tls_causes_test.cpp and notify_dispatcher_test.cpp; kill -9 mid-incident
// in incident_e2e_test.cpp; a broken config on reload in agent_process_test.cpp.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/child_process.h"
#include "support/fake_upstream.h"
#include "support/fake_webhook.h"
#include "support/nginx_fixture.h"  // PickFreePort
#include "support/raw_tcp_server.h"
#include "support/tls_server.h"
#include "support/wait.h"

namespace gatewatch::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Behavior = RawTcpServer::Behavior;
using Step = FakeUpstream::Step;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// The control target's interval: it must complete one probe per interval whatever the
// others do. Hostile targets run at 300 ms with a 250 ms timeout, long enough that a loaded
// CI machine does not turn a reset or a redirect loop into a timeout.
constexpr milliseconds kInterval{200};
// Probe counts come from /metrics, a snapshot the agent republishes every second, so a count
// read at either end of a span may be up to this old: the span's expected count is only
// known to within this much time on each side.
constexpr milliseconds kSnapshotAge{1'000};

// Probes the control target must at least have made in `elapsed` (80% of one per interval,
// over the part of the span the snapshots are sure to cover).
double MinimumControlProbes(std::chrono::steady_clock::duration elapsed) {
  return 0.8 * std::chrono::duration<double>(elapsed - kSnapshotAge) / kInterval;
}

std::string TargetToml(const std::string& name, const std::string& url,
                       const std::string& extra = "") {
  return "[[target]]\nname = \"" + name + "\"\nurl = \"" + url +
         "\"\ninterval = \"300ms\"\ntimeout = \"250ms\"\n" + extra + "\n";
}

std::string ControlToml(const std::string& url) {
  return "[[target]]\nname = \"control\"\nurl = \"" + url +
         "\"\ninterval = \"200ms\"\ntimeout = \"200ms\"\n\n";
}

// The agent binary on a config of its own, plus what the tests read from it.
class Agent {
 public:
  // `launcher` runs before the binary (e.g. a mount namespace); empty = run it directly.
  explicit Agent(const std::string& body, const std::vector<std::string>& launcher = {})
      : port_(PickFreePort()) {
    const std::string config = dir_.Write(
        "gatewatch.toml", "[agent]\nlisten = \"127.0.0.1:" + std::to_string(port_) + "\"\n" + body);
    if (launcher.empty()) {
      process_ = std::make_unique<ChildProcess>(GATEWATCH_BINARY,
                                                std::vector<std::string>{"--config", config});
    } else {
      std::vector<std::string> args(launcher.begin() + 1, launcher.end());
      args.insert(args.end(), {GATEWATCH_BINARY, config});
      process_ = std::make_unique<ChildProcess>(launcher.front(), args);
    }
  }

  // Waits until the agent serves /healthz and has probed every target once.
  ::testing::AssertionResult WaitReady(milliseconds limit = seconds(10)) {
    if (WaitFor([&] { return Status("/readyz") == 200; }, limit)) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "agent not ready:\n" << Output();
  }

  int Status(const std::string& path) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(1);
    client.set_read_timeout(2);
    const auto r = client.Get(path.c_str());
    return r ? r->status : 0;
  }

  std::string Get(const std::string& path) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(1);
    client.set_read_timeout(5);
    const auto r = client.Get(path.c_str());
    return r && r->status == 200 ? r->body : std::string();
  }

  // name -> the target's entry in /api/v1/targets.
  std::map<std::string, json> Targets() const {
    std::map<std::string, json> out;
    const json doc = json::parse(Get("/api/v1/targets"), nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || !doc.contains("targets")) return out;
    for (const auto& t : doc["targets"]) out[t["name"].get<std::string>()] = t;
    return out;
  }

  std::uint64_t ProbesTotal(const std::string& target) const {
    const auto targets = Targets();
    const auto it = targets.find(target);
    return it == targets.end() ? 0 : it->second["probes_total"].get<std::uint64_t>();
  }

  // The value of one series in /metrics, e.g. `gatewatch_schedule_lag_seconds_count`.
  std::optional<double> Metric(const std::string& series) const {
    const std::string text = Get("/metrics");
    const std::string prefix = series + " ";
    for (std::size_t at = 0; (at = text.find(prefix, at)) != std::string::npos; ++at) {
      if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + prefix.size()));
    }
    return std::nullopt;
  }

  // Resident memory of the agent process, in KiB (VmRSS in /proc/<pid>/status).
  long RssKib() const {
    std::ifstream in("/proc/" + std::to_string(process_->pid()) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
  }

  // CPU time the agent process has used (user + system), from /proc/<pid>/stat.
  double CpuSeconds() const {
    std::ifstream in("/proc/" + std::to_string(process_->pid()) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces): state is field 3, utime 14.
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::stod(field);
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  std::string Output() const { return process_->Output(); }
  bool Running() { return process_->Running(); }

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

// Schedule lag observations so far: {within 100 ms, all}.
std::pair<double, double> LagCounts(const Agent& agent) {
  return {agent.Metric("gatewatch_schedule_lag_seconds_bucket{le=\"0.1\"}").value_or(0),
          agent.Metric("gatewatch_schedule_lag_seconds_count").value_or(0)};
}

// Watches the control target for `span` while the faults run and checks that it kept its
// schedule: about one probe per interval, and (agent-wide) probes starting on time.
void ExpectControlKeepsItsSchedule(const Agent& agent, milliseconds span) {
  const std::uint64_t before = agent.ProbesTotal("control");
  const auto [on_time_before, lag_before] = LagCounts(agent);
  const double cpu_before = agent.CpuSeconds();
  const auto started = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(span);  // real time passing is the point: the agent runs on it
  const auto elapsed = std::chrono::steady_clock::now() - started;
  const std::uint64_t done = agent.ProbesTotal("control") - before;
  // Said with every failure below: an agent short of CPU (a loaded machine) is not one
  // whose loop is blocked.
  const std::string cpu =
      "; the agent used " + std::to_string(agent.CpuSeconds() - cpu_before) + " CPU-s in that time";
  const double expected = std::chrono::duration<double>(elapsed) / kInterval;
  EXPECT_GE(static_cast<double>(done), MinimumControlProbes(elapsed))
      << "control fell behind its schedule: " << done << " probes in "
      << std::chrono::duration<double>(elapsed).count() << " s" << cpu;
  EXPECT_LE(static_cast<double>(done), expected + kSnapshotAge / kInterval + 2);
  const auto [on_time_after, lag_after] = LagCounts(agent);
  const double started_probes = lag_after - lag_before;
  ASSERT_GT(started_probes, 0);
  const double on_time = on_time_after - on_time_before;
  EXPECT_GE(on_time / started_probes, 0.95)
      << "more than 5% of probes started over 100 ms late: " << on_time << " of " << started_probes
      << " on time" << cpu;
}

TEST(FaultSuite, HostileTargetsAreNamedAndNeitherCrashTheAgentNorDelayTheControl) {
  FakeUpstream web;
  web.Set("/ok", Step(200, "ok"));
  web.Set("/loop", Step(302, "").Header("Location", "/loop"));
  web.Set("/to-file", Step(302, "").Header("Location", "file:///etc/passwd"));
  web.Set("/to-gopher", Step(302, "").Header("Location", "gopher://127.0.0.1:70/1"));
  web.Start();
  RawTcpServer hang(Behavior::kHang), slowloris(Behavior::kSlowHeaders),
      reset(Behavior::kResetMidBody), garbage(Behavior::kGarbageStatus),
      chunked(Behavior::kBrokenChunked), huge(Behavior::kLargeBody, std::size_t{1} << 30);
  for (RawTcpServer* s : {&hang, &slowloris, &reset, &garbage, &chunked, &huge}) s->Start();
  TestCertificates certs;
  TlsServer self_signed(certs.SelfSigned()), wrong_host(certs.WrongHost()),
      expired(certs.Expired());
  for (TlsServer* s : {&self_signed, &wrong_host, &expired}) ASSERT_TRUE(s->Start());

  // name, url, extra keys, reason, words the diagnosis must contain
  const struct {
    std::string name, url, extra, reason, diagnosis;
  } faults[] = {
      {"hang", hang.Url("/"), "", "timeout", "waiting for the first byte"},
      {"tls-hang", "https://127.0.0.1:" + std::to_string(hang.port()) + "/", "", "timeout",
       "during the TLS handshake (TCP connected to 127.0.0.1)"},
      {"slowloris", slowloris.Url("/"), "", "timeout", "receiving the response head"},
      {"reset", reset.Url("/"), "", "reset", "mid-response (status 200"},
      {"garbage", garbage.Url("/"), "", "protocol", "protocol error"},
      {"chunked", chunked.Url("/"), "", "protocol", "chunk"},
      {"redirect-loop", web.Url("/loop"), "follow_redirects = true\n", "protocol", "redirects"},
      {"redirect-file", web.Url("/to-file"), "follow_redirects = true\n", "protocol", "file"},
      {"redirect-gopher", web.Url("/to-gopher"), "follow_redirects = true\n", "protocol", "gopher"},
      {"tls-self-signed", self_signed.Url("/"), "", "tls",
       "TLS certificate rejected: self-signed certificate"},
      // The agent trusts the system store only, so OpenSSL stops at the unknown issuer of
      // these two; tls_causes_test.cpp shows their own faults with the CA trusted.
      {"tls-wrong-host", wrong_host.Url("/"), "", "tls",
       "TLS certificate rejected: issued by an unknown CA"},
      {"tls-expired", expired.Url("/"), "", "tls",
       "TLS certificate rejected: issued by an unknown CA"},
      {"tls-to-plain-http", "https://127.0.0.1:" + std::to_string(web.port()) + "/ok", "", "tls",
       "does not speak TLS"},
      {"nxdomain", "http://gatewatch-fault-suite.invalid/", "", "dns", "DNS lookup failed"},
      {"refused", "http://127.0.0.1:" + std::to_string(PickFreePort()) + "/", "", "refused",
       "connection refused"},
  };
  std::string body =
      ControlToml(web.Url("/ok")) + TargetToml("huge", huge.Url("/"), "max_body_bytes = 65536\n");
  for (const auto& f : faults) body += TargetToml(f.name, f.url, f.extra);
  Agent agent(body);
  ASSERT_TRUE(agent.WaitReady());
  const long rss_ready = agent.RssKib();

  ExpectControlKeepsItsSchedule(agent, seconds(4));

  EXPECT_EQ(agent.Status("/healthz"), 200);
  const auto targets = agent.Targets();
  ASSERT_EQ(targets.size(), std::size(faults) + 2) << agent.Output();
  for (const auto& f : faults) {
    SCOPED_TRACE(f.name);
    const json& t = targets.at(f.name);
    EXPECT_FALSE(t["up"].get<bool>());
    EXPECT_GE(t["probes_total"].get<std::uint64_t>(), 8u) << "probed too rarely";
    EXPECT_EQ(t["last"]["reason"], f.reason) << t.dump();
    ASSERT_TRUE(t["diagnosis"].is_string()) << t.dump();
    EXPECT_NE(t["diagnosis"].get<std::string>().find(f.diagnosis), std::string::npos)
        << t["diagnosis"];
  }
  EXPECT_TRUE(targets.at("control")["up"].get<bool>());

  // The 1 GB body: read up to max_body_bytes, then the connection is dropped. A truncated
  // body is still an answer, so the probe passes.
  const json& big = targets.at("huge");
  EXPECT_TRUE(big["up"].get<bool>()) << big.dump();
  EXPECT_EQ(big["last"]["status"], 200);
  ASSERT_GT(huge.connections(), 0u);
  EXPECT_LT(huge.bytes_sent() / huge.connections(), std::size_t{16} << 20)
      << "the agent read far past max_body_bytes";
  // A hostile target costs a socket, not memory: RSS stays where it was once every target
  // had been probed.
  const long rss_end = agent.RssKib();
  ASSERT_GT(rss_ready, 0);
  const long growth_limit_kib = kSanitized ? 160 * 1024 : 24 * 1024;
  EXPECT_LT(rss_end - rss_ready, growth_limit_kib)
      << "RSS grew from " << rss_ready << " KiB to " << rss_end << " KiB";
  if (!kSanitized) {
    EXPECT_LT(rss_end, 64 * 1024) << "KiB";
  }
  EXPECT_TRUE(agent.Running()) << agent.Output();
}

// Waits (bounded) until `series` in /metrics is at least `value`.
bool WaitForMetric(const Agent& agent, const std::string& series, double value,
                   milliseconds limit) {
  return WaitFor([&] { return agent.Metric(series).value_or(0) >= value; }, limit);
}

std::string Notifications(const std::string& notifier, const std::string& outcome) {
  return "gatewatch_notifications_total{notifier=\"" + notifier + "\",outcome=\"" + outcome + "\"}";
}

std::string NotifierToml(const std::string& name, const std::string& url) {
  return "[[notifier]]\nname = \"" + name + "\"\ntype = \"webhook\"\nurl = \"" + url +
         "\"\ntimeout = \"300ms\"\n\n";
}

// Fires on the second failure in a row of `flaky`, resolves on its first success.
std::string AlertToml(const std::string& notify) {
  return "[[alert]]\nname = \"flaky-down\"\ntargets = [\"flaky\"]\n"
         "signal = \"consecutive_failures\"\nabove = 1\nrepeat = \"0s\"\nnotify = [" +
         notify + "]\n\n";
}

// The deliveries one receiver saw, as (status, Idempotency-Key) in arrival order.
std::vector<std::pair<std::string, std::string>> Deliveries(const FakeWebhook& hook) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : hook.Requests()) {
    const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    out.emplace_back(body.is_object() ? body.value("status", "?") : "unparsable",
                     r.Header("idempotency-key"));
  }
  return out;
}

// Real time on purpose: the dispatcher's backoff (1 s, then 2 s, full jitter) runs on the
// agent's clock, so a receiver that recovers is retried within seconds. Takes about 7 s.
TEST(FaultSuite, ReceiversThatFailGetEveryAlertExactlyOnceAfterTheyRecover) {
  FakeUpstream web;
  web.Set("/ok", Step(200, "ok"));
  web.Set("/flaky", Step(502, "bad gateway"));
  web.Start();
  FakeWebhook down, error500, throttled, slow;
  const int down_port = PickFreePort();  // nothing listens there until the receiver recovers
  error500.Script({500, 500, 200});
  throttled.Script({FakeWebhook::Answer(429, "slow down").RetryAfter("1"), 200});
  // Holds the first delivery for 30 s (far beyond the notifier's 300 ms timeout); released
  // when the test ends.
  slow.Script({FakeWebhook::Answer(200).Delay(seconds(30)), 200});
  for (FakeWebhook* hook : {&error500, &throttled, &slow}) hook->Start();

  Agent agent(ControlToml(web.Url("/ok")) + TargetToml("flaky", web.Url("/flaky")) +
              AlertToml(R"("down", "error500", "throttled", "slow")") +
              NotifierToml("down", "http://127.0.0.1:" + std::to_string(down_port) + "/hook") +
              NotifierToml("error500", error500.Url()) +
              NotifierToml("throttled", throttled.Url()) + NotifierToml("slow", slow.Url()));
  ASSERT_TRUE(agent.WaitReady());
  const auto control_start = std::chrono::steady_clock::now();
  const std::uint64_t control_before = agent.ProbesTotal("control");

  // The firing reaches every receiver that listens, and fails at the one that is down.
  ASSERT_TRUE(WaitForMetric(agent, Notifications("down", "retried"), 1, seconds(10)))
      << agent.Output();
  ASSERT_TRUE(slow.WaitForRequests(1, seconds(5)));
  down.Start(down_port);

  // Every receiver ends up with the firing, the hung one and the one that was down too.
  for (const std::string name : {"down", "error500", "throttled", "slow"}) {
    EXPECT_TRUE(WaitForMetric(agent, Notifications(name, "delivered"), 1, seconds(15)))
        << name << "\n"
        << agent.Output();
  }
  EXPECT_EQ(agent.Status("/healthz"), 200);
  // Probing never waited on delivery: the control target kept about one probe per interval
  // while receivers hung, refused and failed.
  const auto elapsed = std::chrono::steady_clock::now() - control_start;
  EXPECT_GE(static_cast<double>(agent.ProbesTotal("control") - control_before),
            MinimumControlProbes(elapsed));

  // The target heals: one resolve to each.
  web.Set("/flaky", Step(200, "ok"));
  for (const std::string name : {"down", "error500", "throttled", "slow"}) {
    EXPECT_TRUE(WaitForMetric(agent, Notifications(name, "delivered"), 2, seconds(10)))
        << name << "\n"
        << agent.Output();
  }
  // Longer than the first backoff step, so a stray retry would have shown up.
  std::this_thread::sleep_for(milliseconds(1500));

  const struct {
    const FakeWebhook* hook;
    const char* name;
    std::size_t firing_attempts;  // the last of them was answered 2xx
  } receivers[] = {{&down, "down", 1},
                   {&error500, "error500", 3},
                   {&throttled, "throttled", 2},
                   {&slow, "slow", 2}};
  for (const auto& r : receivers) {
    SCOPED_TRACE(r.name);
    const auto deliveries = Deliveries(*r.hook);
    ASSERT_EQ(deliveries.size(), r.firing_attempts + 1) << agent.Output();
    const std::string firing_key = deliveries.front().second;
    EXPECT_FALSE(firing_key.empty());
    for (std::size_t i = 0; i < r.firing_attempts; ++i) {
      EXPECT_EQ(deliveries[i].first, "firing") << i;
      EXPECT_EQ(deliveries[i].second, firing_key) << "every retry carries the same key";
    }
    EXPECT_EQ(deliveries.back().first, "resolved");
    EXPECT_NE(deliveries.back().second, firing_key);
    EXPECT_EQ(agent.Metric(Notifications(r.name, "delivered")), 2.0);
    EXPECT_EQ(agent.Metric(Notifications(r.name, "failed")), 0.0);
    EXPECT_EQ(agent.Metric(Notifications(r.name, "dropped")), 0.0);
  }
  EXPECT_EQ(agent.Metric("gatewatch_notification_queue_depth"), 0.0);
}

// A state_dir the agent cannot write, in a way that fails for root too (root ignores file
// modes): a read-only or a full tmpfs mounted in a private mount namespace (`unshare`,
// which needs root); failing that, a path through a regular file (root) or a directory
// without write permission (other users).
class StateDirFaultTest : public ::testing::Test {
 protected:
  bool CanMountTmpfs() const {
    if (geteuid() != 0) return false;
    return RunCommand("unshare",
                      {"--mount", "--propagation", "private", "sh", "-c",
                       "mount -t tmpfs -o size=16k none \"$1\"", "sh", dir_.path()},
                      seconds(10))
               .exit_code == 0;
  }

  // Runs the agent with `state_dir` set to a fresh directory prepared by `prepare` (a shell
  // snippet; "$1" is the directory) inside its own mount namespace.
  std::unique_ptr<Agent> StartInNamespace(const std::string& body, const std::string& prepare) {
    const std::string state = dir_.path() + "/state";
    std::filesystem::create_directory(state);
    return std::make_unique<Agent>(
        "state_dir = \"" + state + "\"\n" + body,
        std::vector<std::string>{"unshare", "--mount", "--propagation", "private", "sh", "-c",
                                 prepare + " && exec \"$2\" --config \"$3\"", "sh", state});
  }

  // Probing and alerting go on: the control target keeps probing, the alert reaches the
  // receiver, the process stays healthy, and the log says what failed and why.
  void ExpectProbingAndAlertingContinue(Agent& agent, FakeWebhook& hook, FakeUpstream& web,
                                        const std::string& why) {
    ASSERT_TRUE(agent.WaitReady()) << agent.Output();
    ASSERT_TRUE(hook.WaitForRequests(1, seconds(10))) << agent.Output();
    EXPECT_EQ(Deliveries(hook).front().first, "firing");
    web.Set("/flaky", Step(200, "ok"));
    ASSERT_TRUE(hook.WaitForRequests(2, seconds(10))) << agent.Output();
    EXPECT_EQ(Deliveries(hook).back().first, "resolved");
    const std::uint64_t before = agent.ProbesTotal("control");
    EXPECT_TRUE(WaitFor([&] { return agent.ProbesTotal("control") >= before + 3; }, seconds(5)));
    EXPECT_EQ(agent.Status("/healthz"), 200);
    EXPECT_TRUE(agent.Running());
    const std::string log = agent.Output();
    constexpr std::string_view kCannotSave = "notification outbox: cannot save";
    const auto first = log.find(kCannotSave);
    ASSERT_NE(first, std::string::npos) << log;
    EXPECT_NE(log.find(why, first), std::string::npos) << log;
    // Once per state change, not once per attempt.
    EXPECT_EQ(log.find(kCannotSave, first + 1), std::string::npos) << log;
  }

  std::string Body(const FakeUpstream& web, const FakeWebhook& hook) {
    return ControlToml(web.Url("/ok")) + TargetToml("flaky", web.Url("/flaky")) +
           AlertToml(R"("hook")") + NotifierToml("hook", hook.Url());
  }

  void SetUp() override {
    web_.Set("/ok", Step(200, "ok"));
    web_.Set("/flaky", Step(502, "bad gateway"));
    web_.Start();
    hook_.Start();
  }

  TempDir dir_;
  FakeUpstream web_;
  FakeWebhook hook_;
};

TEST_F(StateDirFaultTest, ReadOnlyStateDirIsReportedAndProbingAndAlertingGoOn) {
  std::unique_ptr<Agent> agent;
  std::string why;
  if (CanMountTmpfs()) {
    agent = StartInNamespace(Body(web_, hook_), "mount -t tmpfs -o ro,size=64k none \"$1\"");
    why = "Read-only file system";
  } else if (geteuid() == 0) {
    // Root without a mount namespace (a container without CAP_SYS_ADMIN): a path through a
    // regular file cannot hold anything, whoever asks.
    const std::string state = dir_.Write("not-a-directory", "") + "/state";
    agent = std::make_unique<Agent>("state_dir = \"" + state + "\"\n" + Body(web_, hook_));
    why = "Not a directory";
  } else {
    const std::string state = dir_.path() + "/read-only";
    std::filesystem::create_directory(state);
    std::filesystem::permissions(
        state, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    agent = std::make_unique<Agent>("state_dir = \"" + state + "\"\n" + Body(web_, hook_));
    why = "Permission denied";
  }
  ExpectProbingAndAlertingContinue(*agent, hook_, web_, why);
}

TEST_F(StateDirFaultTest, FullDiskStateDirIsReportedAndProbingAndAlertingGoOn) {
  if (!CanMountTmpfs()) {
    GTEST_SKIP() << "needs root (a tmpfs in a private mount namespace) to fill a disk";
  }
  // 16 KiB of tmpfs, filled before the agent starts.
  auto agent = StartInNamespace(
      Body(web_, hook_),
      "mount -t tmpfs -o size=16k none \"$1\" && { dd if=/dev/zero of=\"$1/filler\" bs=4k "
      "2>/dev/null; true; }");
  ExpectProbingAndAlertingContinue(*agent, hook_, web_, "No space left on device");
}

}  // namespace
}  // namespace gatewatch::testing
