#include "service/systemd_notifier.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <string>

#include "service/watchdog_ticker.h"
#include "support/child_process.h"
#include "support/notify_socket.h"
#include "support/wait.h"

namespace gatewatch::service {
namespace {

using std::chrono::milliseconds;
using testing::NotifyField;
using testing::NotifySocket;
using testing::TempDir;

constexpr auto kWait = milliseconds(2000);

// The notifier reads the environment, as it does under systemd: each test sets the
// variables it needs and the fixture restores a clean slate.
class SystemdNotifierTest : public ::testing::Test {
 protected:
  SystemdNotifierTest() : socket_(dir_.path() + "/notify.sock") {
    setenv("NOTIFY_SOCKET", socket_.path().c_str(), 1);
  }
  ~SystemdNotifierTest() override {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
  }
  TempDir dir_;
  NotifySocket socket_;
};

TEST_F(SystemdNotifierTest, SendsEachStateAsOneDatagram) {
  SystemdNotifier notifier;
  ASSERT_TRUE(notifier.enabled());
  EXPECT_TRUE(notifier.Ready("probing 3 targets"));
  EXPECT_EQ(socket_.Receive(kWait), "READY=1\nSTATUS=probing 3 targets");
  EXPECT_TRUE(notifier.Stopping());
  EXPECT_EQ(socket_.Receive(kWait), "STOPPING=1\nSTATUS=stopping");
  EXPECT_TRUE(notifier.Watchdog());
  EXPECT_EQ(socket_.Receive(kWait), "WATCHDOG=1");
  EXPECT_TRUE(notifier.Status("config rejected:\nagent.toml:3:7: bad"));
  EXPECT_EQ(socket_.Receive(kWait), "STATUS=config rejected: agent.toml:3:7: bad");
}

TEST_F(SystemdNotifierTest, ReloadingCarriesTheMonotonicClock) {
  SystemdNotifier notifier;
  timespec before{};
  clock_gettime(CLOCK_MONOTONIC, &before);
  ASSERT_TRUE(notifier.Reloading());
  timespec after{};
  clock_gettime(CLOCK_MONOTONIC, &after);
  const auto message = socket_.Receive(kWait);
  ASSERT_TRUE(message);
  EXPECT_TRUE(message->starts_with("RELOADING=1\n")) << *message;
  const auto usec = NotifyField(*message, "MONOTONIC_USEC");
  ASSERT_TRUE(usec) << *message;
  const auto value = std::stoull(*usec);
  EXPECT_GE(value, static_cast<unsigned long long>(before.tv_sec) * 1'000'000ULL +
                       static_cast<unsigned long long>(before.tv_nsec) / 1'000ULL);
  EXPECT_LE(value, static_cast<unsigned long long>(after.tv_sec) * 1'000'000ULL +
                       static_cast<unsigned long long>(after.tv_nsec) / 1'000ULL);
}

TEST_F(SystemdNotifierTest, WatchdogIntervalFollowsTheEnvironment) {
  EXPECT_FALSE(SystemdNotifier().WatchdogInterval());

  setenv("WATCHDOG_USEC", "30000000", 1);
  EXPECT_EQ(SystemdNotifier().WatchdogInterval(), std::chrono::seconds(30));

  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  EXPECT_EQ(SystemdNotifier().WatchdogInterval(), std::chrono::seconds(30));

  // Meant for another process (a parent that did not clear it): not ours to ping.
  setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
  EXPECT_FALSE(SystemdNotifier().WatchdogInterval());
}

TEST_F(SystemdNotifierTest, WithoutNotifySocketEverythingIsANoOp) {
  unsetenv("NOTIFY_SOCKET");
  setenv("WATCHDOG_USEC", "30000000", 1);
  SystemdNotifier notifier;
  EXPECT_FALSE(notifier.enabled());
  EXPECT_FALSE(notifier.WatchdogInterval());
  EXPECT_FALSE(notifier.Ready("x"));
  EXPECT_FALSE(notifier.Reloading());
  EXPECT_FALSE(notifier.Watchdog());
  EXPECT_FALSE(notifier.Stopping());

  setenv("NOTIFY_SOCKET", "", 1);
  EXPECT_FALSE(SystemdNotifier().enabled());
  EXPECT_FALSE(socket_.Receive(milliseconds(0)));
}

TEST_F(SystemdNotifierTest, AMissingSocketIsNotAnError) {
  setenv("NOTIFY_SOCKET", (dir_.path() + "/nobody-listens.sock").c_str(), 1);
  SystemdNotifier notifier;
  EXPECT_TRUE(notifier.enabled());
  EXPECT_FALSE(notifier.Ready("x"));
}

TEST_F(SystemdNotifierTest, WatchdogTickerPingsWhileHealthy) {
  SystemdNotifier notifier;
  std::atomic<int> checks{0};
  {
    WatchdogTicker ticker(notifier, milliseconds(5), [&] {
      ++checks;
      return true;
    });
    EXPECT_EQ(socket_.Receive(kWait), "WATCHDOG=1");
    EXPECT_EQ(socket_.Receive(kWait), "WATCHDOG=1");
  }
  const int after_stop = checks.load();
  EXPECT_GE(after_stop, 2);
  EXPECT_EQ(checks.load(), after_stop);  // joined: no check after destruction
}

TEST_F(SystemdNotifierTest, WatchdogTickerWithholdsPingsWhileUnhealthy) {
  SystemdNotifier notifier;
  std::atomic<int> checks{0};
  std::atomic<bool> healthy{false};
  {
    WatchdogTicker ticker(notifier, milliseconds(5), [&] {
      ++checks;
      return healthy.load();
    });
    ASSERT_TRUE(testing::WaitFor([&] { return checks.load() >= 3; }, kWait));
    EXPECT_FALSE(socket_.Receive(milliseconds(0)));  // three checks said no: no ping sent

    healthy = true;  // the loop recovered: pings resume
    EXPECT_EQ(socket_.Receive(kWait), "WATCHDOG=1");
  }
}

TEST(StatusLine, IsOneBoundedLine) {
  EXPECT_EQ(StatusLine("reloaded: 3 targets"), "reloaded: 3 targets");
  EXPECT_EQ(StatusLine("a\nb\tc\rd"), "a b c d");
  EXPECT_EQ(StatusLine(std::string(300, 'x')).size(), SystemdNotifier::kMaxStatusBytes);
  // "é" is two bytes; cutting between them would leave half a character.
  const std::string text = std::string(SystemdNotifier::kMaxStatusBytes - 1, 'x') + "\xC3\xA9";
  EXPECT_EQ(StatusLine(text), std::string(SystemdNotifier::kMaxStatusBytes - 1, 'x'));
  const std::string fits = std::string(SystemdNotifier::kMaxStatusBytes - 2, 'x') + "\xC3\xA9";
  EXPECT_EQ(StatusLine(fits), fits);
}

}  // namespace
}  // namespace gatewatch::service
