// The network fixtures other tests rely on: scripts play back as documented and every
// fixture stops promptly whatever its clients are doing.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "net/curl_multi.h"
#include "support/fake_upstream.h"
#include "support/nginx_fixture.h"
#include "support/raw_tcp_server.h"

namespace gatewatch::testing {
namespace {

using std::chrono::milliseconds;
using Step = FakeUpstream::Step;
using Clock = std::chrono::steady_clock;

class FixturesTest : public ::testing::Test {
 protected:
  // Status of one GET (0 if none arrived within a second).
  int Status(const std::string& url) {
    net::HttpRequest request;
    request.url = url;
    request.timeout = milliseconds(1000);
    std::optional<int> status;
    multi_.Start(request, [&status](net::HttpResponse&& r) { status = r.http_status; });
    for (int i = 0; i < 100 && !status; ++i) multi_.Poll(milliseconds(20));
    return status.value_or(-1);
  }

  net::CurlMulti multi_;
};

TEST_F(FixturesTest, ScriptSticksOnItsLastStep) {
  FakeUpstream up;
  up.Start();
  up.Script("/s", {200, 502});
  std::vector<int> seen;
  for (int i = 0; i < 4; ++i) seen.push_back(Status(up.Url("/s")));
  EXPECT_EQ(seen, (std::vector<int>{200, 502, 502, 502}));
  EXPECT_EQ(up.Hits("/s"), 4u);
}

TEST_F(FixturesTest, ScriptCanCycle) {
  FakeUpstream up;
  up.Start();
  up.Script("/c", {200, 200, 502}, /*cycle=*/true);
  std::vector<int> seen;
  for (int i = 0; i < 6; ++i) seen.push_back(Status(up.Url("/c")));
  EXPECT_EQ(seen, (std::vector<int>{200, 200, 502, 200, 200, 502}));
}

TEST_F(FixturesTest, UnscriptedPathIs404AndCounted) {
  FakeUpstream up;
  up.Start();
  EXPECT_EQ(Status(up.Url("/nothing")), 404);
  EXPECT_EQ(up.Hits("/nothing"), 1u);
  EXPECT_EQ(up.TotalHits(), 1u);
  EXPECT_EQ(up.LastRequest("/nothing").method, "GET");
  EXPECT_EQ(up.LastRequest("/never").method, "");
}

TEST_F(FixturesTest, RawServerStopsWhileStreamingToAStalledClient) {
  RawTcpServer server(RawTcpServer::Behavior::kLargeBody);
  server.Start();
  net::HttpRequest request;
  request.url = server.Url("/");
  request.timeout = milliseconds(5000);
  bool done = false;
  multi_.Start(request, [&done](net::HttpResponse&&) { done = true; });
  // Poll until the server is writing, then stop polling: the client no longer reads, so the
  // server blocks on a full socket buffer.
  for (int i = 0; i < 100 && server.bytes_sent() == 0; ++i) multi_.Poll(milliseconds(20));
  ASSERT_GT(server.bytes_sent(), 0u);
  const auto started = Clock::now();
  server.Stop();
  EXPECT_LT(Clock::now() - started, milliseconds(500));
  multi_.CancelAll();
  EXPECT_TRUE(done);
}

TEST_F(FixturesTest, NginxServesRawLocations) {
  NginxFixture nginx;
  nginx.AddLocation("/moved", "return 301 /elsewhere;");
  nginx.AddStatic("/teapot", 418, "short and \"stout\"");
  ASSERT_TRUE(nginx.Start());
  EXPECT_EQ(Status(nginx.Url("/moved")), 301);
  EXPECT_EQ(Status(nginx.Url("/teapot")), 418);
  EXPECT_EQ(Status(nginx.Url("/unknown")), 404);
}

}  // namespace
}  // namespace gatewatch::testing
