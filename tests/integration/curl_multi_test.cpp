// net::CurlMulti against loopback servers: callbacks, cancellation, re-entrancy, the body
// cap, headers, connection reuse and address pinning.
#include "net/curl_multi.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/fake_upstream.h"
#include "support/raw_tcp_server.h"

namespace gatewatch::net {
namespace {

using std::chrono::milliseconds;
using testing::FakeUpstream;
using testing::RawTcpServer;
using Step = FakeUpstream::Step;
using Clock = std::chrono::steady_clock;

HttpRequest Get(const std::string& url, milliseconds timeout = milliseconds(200)) {
  HttpRequest r;
  r.url = url;
  r.timeout = timeout;
  return r;
}

const std::string* Header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

class CurlMultiTest : public ::testing::Test {
 protected:
  std::optional<HttpResponse> Run(const HttpRequest& request) {
    std::optional<HttpResponse> out;
    multi_.Start(request, [&out](HttpResponse&& r) { out = std::move(r); });
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (!out && Clock::now() < deadline) multi_.Poll(milliseconds(50));
    return out;
  }

  // Polls until the server has accepted `n` connections (bounded).
  void PollUntilConnected(const RawTcpServer& server, std::size_t n) {
    for (int i = 0; i < 100 && server.connections() < n; ++i) multi_.Poll(milliseconds(20));
    ASSERT_EQ(server.connections(), n);
  }

  CurlMulti multi_;
};

TEST_F(CurlMultiTest, CancelRunsTheCallbackOnceWithCancelled) {
  RawTcpServer server(RawTcpServer::Behavior::kHang);
  server.Start();
  int calls = 0;
  TransportError error = TransportError::kNone;
  const auto id = multi_.Start(Get(server.Url("/"), milliseconds(5000)), [&](HttpResponse&& r) {
    ++calls;
    error = r.error;
  });
  EXPECT_NE(id, 0u);
  PollUntilConnected(server, 1);
  EXPECT_EQ(multi_.InFlight(), 1u);
  multi_.Cancel(id);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(error, TransportError::kCancelled);
  EXPECT_EQ(multi_.InFlight(), 0u);
  multi_.Cancel(id);
  multi_.Poll(milliseconds(10));
  EXPECT_EQ(calls, 1);
}

TEST_F(CurlMultiTest, CancelAllRunsEveryCallbackOnce) {
  RawTcpServer server(RawTcpServer::Behavior::kHang);
  server.Start();
  std::vector<int> calls(5, 0);
  for (int i = 0; i < 5; ++i) {
    multi_.Start(Get(server.Url("/"), milliseconds(5000)), [&calls, i](HttpResponse&& r) {
      EXPECT_EQ(r.error, TransportError::kCancelled);
      ++calls[i];
    });
  }
  PollUntilConnected(server, 5);
  const auto started = Clock::now();
  multi_.CancelAll();
  EXPECT_LT(Clock::now() - started, milliseconds(100));
  EXPECT_EQ(calls, std::vector<int>(5, 1));
  EXPECT_EQ(multi_.InFlight(), 0u);
  multi_.Poll(milliseconds(10));
  EXPECT_EQ(calls, std::vector<int>(5, 1));
}

TEST_F(CurlMultiTest, DestructorCancelsWhatIsInFlight) {
  RawTcpServer server(RawTcpServer::Behavior::kHang);
  server.Start();
  int cancelled = 0;
  {
    CurlMulti scoped;
    for (int i = 0; i < 3; ++i) {
      scoped.Start(Get(server.Url("/"), milliseconds(5000)), [&](HttpResponse&& r) {
        if (r.error == TransportError::kCancelled) ++cancelled;
      });
    }
    scoped.Poll(milliseconds(10));
  }
  EXPECT_EQ(cancelled, 3);
}

TEST_F(CurlMultiTest, CallbacksMayStartAndCancelOtherTransfers) {
  FakeUpstream up;
  up.Start();
  up.Set("/fast", Step(200, "fast"));
  RawTcpServer hung(RawTcpServer::Behavior::kHang);
  hung.Start();

  int hung_calls = 0;
  TransportError hung_error = TransportError::kNone;
  const auto hung_id = multi_.Start(Get(hung.Url("/"), milliseconds(5000)), [&](HttpResponse&& r) {
    ++hung_calls;
    hung_error = r.error;
  });
  std::optional<HttpResponse> second;
  bool first_done = false;
  multi_.Start(Get(up.Url("/fast")), [&](HttpResponse&& r) {
    EXPECT_EQ(r.http_status, 200);
    first_done = true;
    multi_.Cancel(hung_id);
    multi_.Start(Get(up.Url("/fast")), [&second](HttpResponse&& r2) { second = std::move(r2); });
  });
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!second && Clock::now() < deadline) multi_.Poll(milliseconds(50));
  EXPECT_TRUE(first_done);
  EXPECT_EQ(hung_calls, 1);
  EXPECT_EQ(hung_error, TransportError::kCancelled);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->http_status, 200);
  EXPECT_EQ(second->body, "fast");
  EXPECT_EQ(multi_.InFlight(), 0u);
}

TEST_F(CurlMultiTest, BodyIsCappedAndMarkedTruncated) {
  FakeUpstream up;
  up.Start();
  up.Set("/big", Step(200, std::string(10'000, 'b')));
  up.Set("/exact", Step(200, std::string(1'000, 'e')));
  HttpRequest big = Get(up.Url("/big"));
  big.max_body_bytes = 1'000;
  const auto r = Run(big);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, TransportError::kNone) << r->error_text;
  EXPECT_EQ(r->error_text, "");
  EXPECT_EQ(r->http_status, 200);
  EXPECT_EQ(r->body.size(), 1'000u);
  EXPECT_TRUE(r->body_truncated);

  HttpRequest exact = Get(up.Url("/exact"));
  exact.max_body_bytes = 1'000;
  const auto e = Run(exact);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->error, TransportError::kNone);
  EXPECT_EQ(e->body.size(), 1'000u);
  EXPECT_FALSE(e->body_truncated);
}

// A body and a header line larger than curl's 16 KB receive buffer arrive whole and in
// order, on a fresh handle and on reused ones. (Do not shrink that buffer with
// CURLOPT_BUFFERSIZE: libcurl 7.88 can keep a transfer's buffer past curl_easy_reset, which
// puts the 16 KB default back, and then reads 16 KB into the smaller block; ASan caught it in
// the fault suite.)
TEST_F(CurlMultiTest, ReadsBodiesAndHeadersLargerThanTheReceiveBuffer) {
  FakeUpstream up;
  up.Start();
  std::string body;
  for (int i = 0; body.size() < 100'000; ++i) body += std::to_string(i) + ",";
  const std::string long_value(20'000, 'v');
  up.Set("/large", Step(200, body).Header("X-Long", long_value));
  for (int round = 0; round < 3; ++round) {
    const auto r = Run(Get(up.Url("/large")));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error, TransportError::kNone) << r->error_text;
    EXPECT_EQ(r->http_status, 200);
    EXPECT_FALSE(r->body_truncated);
    EXPECT_EQ(r->body, body) << "round " << round;
    bool found = false;
    for (const auto& [name, value] : r->headers) {
      if (name == "x-long") found = value == long_value;
    }
    EXPECT_TRUE(found) << "round " << round;
  }
}

TEST_F(CurlMultiTest, KeepsTheFinalResponsesHeadersLowerCased) {
  FakeUpstream up;
  up.Start();
  up.Set("/a", Step(302, "").Header("X-First", "1").Header("Location", "/b"));
  up.Set("/b", Step(200, "b").Header("X-Final", "Yes"));
  HttpRequest request = Get(up.Url("/a"));
  request.follow_redirects = true;
  const auto r = Run(request);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->http_status, 200);
  EXPECT_EQ(r->redirects, 1);
  EXPECT_EQ(r->body, "b");
  ASSERT_NE(Header(*r, "x-final"), nullptr);
  EXPECT_EQ(*Header(*r, "x-final"), "Yes");
  EXPECT_EQ(Header(*r, "x-first"), nullptr);
  EXPECT_EQ(Header(*r, "location"), nullptr);
}

TEST_F(CurlMultiTest, KeepsAtMost64Headers) {
  FakeUpstream up;
  up.Start();
  Step many(200);
  for (int i = 0; i < 80; ++i) many.Header("X-H" + std::to_string(i), "v");
  up.Set("/many", many);
  const auto r = Run(Get(up.Url("/many")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->http_status, 200);
  EXPECT_EQ(r->headers.size(), 64u);
}

TEST_F(CurlMultiTest, ResolveToPinsTheAddressForThatRequestOnly) {
  FakeUpstream up;
  up.Start();
  up.Set("/pinned", Step(200, "pinned"));
  const std::string url = "http://pinned.invalid:" + std::to_string(up.port()) + "/pinned";
  HttpRequest request = Get(url);
  request.resolve_to = "127.0.0.1";
  const auto r = Run(request);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, TransportError::kNone) << r->error_text;
  EXPECT_EQ(r->body, "pinned");
  EXPECT_EQ(r->remote_ip, "127.0.0.1");
  const auto seen = up.LastRequest("/pinned");
  ASSERT_EQ(seen.headers.count("host"), 1u);
  EXPECT_EQ(seen.headers.find("host")->second, "pinned.invalid:" + std::to_string(up.port()));

  const auto unpinned = Run(Get(url));
  ASSERT_TRUE(unpinned);
  EXPECT_EQ(unpinned->error, TransportError::kDns) << unpinned->error_text;
}

TEST_F(CurlMultiTest, FreshConnectionsConnectEveryTimeReuseDoesNot) {
  FakeUpstream up;
  up.Start();
  up.Set("/k", Step(200));
  HttpRequest fresh = Get(up.Url("/k"));
  for (int i = 0; i < 2; ++i) {
    const auto r = Run(fresh);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->timings.connect.has_value()) << "fresh probe " << i;
  }
  HttpRequest reuse = fresh;
  reuse.fresh_connection = false;
  const auto first = Run(reuse);
  const auto second = Run(reuse);
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->timings.connect.has_value());
  EXPECT_FALSE(second->timings.connect.has_value());  // same TCP connection, no handshake
  EXPECT_TRUE(second->timings.ttfb.has_value());
  EXPECT_EQ(second->http_status, 200);
  // The keep-alive connection is still open in multi_'s cache; stopping must not wait on it.
  const auto stopping = Clock::now();
  up.Stop();
  EXPECT_LT(Clock::now() - stopping, milliseconds(500));
}

TEST_F(CurlMultiTest, IdleHandlesFollowDemandDownAfterABurst) {
  FakeUpstream up;
  up.Start();
  up.Set("/k", Step(200));
  // A burst of 8 at once leaves 8 idle handles.
  std::size_t done = 0;
  for (int i = 0; i < 8; ++i) multi_.Start(Get(up.Url("/k")), [&](HttpResponse&&) { ++done; });
  for (int i = 0; i < 100 && done < 8; ++i) multi_.Poll(milliseconds(50));
  ASSERT_EQ(done, 8u);
  EXPECT_EQ(multi_.IdleHandles(), 8u);
  // Nothing idle was spare before the burst: nothing is freed yet.
  EXPECT_EQ(multi_.TrimIdle(), 0u);
  // Then 2 at a time: 6 handles were never needed since the last trim, and go.
  for (int round = 0; round < 3; ++round) {
    done = 0;
    for (int i = 0; i < 2; ++i) multi_.Start(Get(up.Url("/k")), [&](HttpResponse&&) { ++done; });
    for (int i = 0; i < 100 && done < 2; ++i) multi_.Poll(milliseconds(50));
    ASSERT_EQ(done, 2u);
  }
  EXPECT_EQ(multi_.TrimIdle(), 6u);
  EXPECT_EQ(multi_.IdleHandles(), 2u);
  // Unused since: the last two go at the next trim, and requests still work afterwards.
  EXPECT_EQ(multi_.TrimIdle(), 2u);
  EXPECT_EQ(multi_.IdleHandles(), 0u);
  const auto r = Run(Get(up.Url("/k")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->http_status, 200);
  EXPECT_EQ(multi_.IdleHandles(), 1u);
}

// Handles finished beyond the cap are freed, and their slots must not be taken while idle
// handles wait: otherwise, once the pool is full, every request makes a new handle.
TEST_F(CurlMultiTest, AtTheIdleCapIdleHandlesAreStillReusedFirst) {
  FakeUpstream up;
  up.Start();
  up.Set("/k", Step(200));
  net::CurlMulti multi(/*max_idle_handles=*/2);
  const auto run_batch = [&](int n) {
    std::size_t done = 0;
    for (int i = 0; i < n; ++i) multi.Start(Get(up.Url("/k")), [&](HttpResponse&&) { ++done; });
    for (int i = 0; i < 100 && done < static_cast<std::size_t>(n); ++i) {
      multi.Poll(milliseconds(50));
    }
    return done == static_cast<std::size_t>(n);
  };
  ASSERT_TRUE(run_batch(4));
  EXPECT_EQ(multi.HandlesMade(), 4u);
  EXPECT_EQ(multi.IdleHandles(), 2u) << "two kept, two freed at the cap";
  for (int round = 0; round < 5; ++round) ASSERT_TRUE(run_batch(2));
  EXPECT_EQ(multi.HandlesMade(), 4u) << "the two idle handles served every later request";
  EXPECT_EQ(multi.IdleHandles(), 2u);
}

TEST_F(CurlMultiTest, SlowAnswerOnAReusedConnectionIsATimeout) {
  FakeUpstream up;
  up.Start();
  up.Script("/r", {Step(200), Step(200).Delay(milliseconds(1000))});
  HttpRequest reuse = Get(up.Url("/r"));
  reuse.fresh_connection = false;
  const auto first = Run(reuse);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->error, TransportError::kNone) << first->error_text;
  const auto second = Run(reuse);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->timings.connect.has_value());  // it did reuse the connection
  EXPECT_EQ(second->error, TransportError::kTimeout) << second->error_text;
}

TEST_F(CurlMultiTest, SendsMethodBodyAndHeaders) {
  FakeUpstream up;
  up.Start();
  up.Set("/m", Step(200, "body"));
  HttpRequest put = Get(up.Url("/m"));
  put.method = "PUT";
  put.body = "payload";
  put.headers = {{"X-Token", "t0k"}};
  const auto r = Run(put);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->http_status, 200);
  const auto seen = up.LastRequest("/m");
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.body, "payload");
  EXPECT_EQ(seen.headers.find("x-token")->second, "t0k");
  EXPECT_EQ(seen.headers.count("expect"), 0u);

  HttpRequest head = Get(up.Url("/m"));
  head.method = "HEAD";
  const auto h = Run(head);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->error, TransportError::kNone) << h->error_text;
  EXPECT_EQ(h->http_status, 200);
  EXPECT_EQ(h->body, "");
  EXPECT_EQ(up.LastRequest("/m").method, "HEAD");
}

TEST_F(CurlMultiTest, AbortedResponseIsReset) {
  FakeUpstream up;
  up.Start();
  up.Set("/abort", Step(200).Abort());
  const auto r = Run(Get(up.Url("/abort")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, TransportError::kReset) << r->error_text;
  EXPECT_EQ(r->http_status, 200);
}

TEST_F(CurlMultiTest, DelayedAnswerArrivesAfterItsDelay) {
  FakeUpstream up;
  up.Start();
  up.Set("/slow", Step(200).Delay(milliseconds(100)));
  const auto r = Run(Get(up.Url("/slow"), milliseconds(1000)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, TransportError::kNone) << r->error_text;
  ASSERT_TRUE(r->timings.ttfb.has_value());
  EXPECT_GE(*r->timings.ttfb, milliseconds(95));
}

TEST_F(CurlMultiTest, WakeupInterruptsPoll) {
  const auto started = Clock::now();
  std::thread waker([this] {
    std::this_thread::sleep_for(milliseconds(50));
    multi_.Wakeup();
  });
  EXPECT_EQ(multi_.Poll(std::chrono::seconds(5)), 0u);
  waker.join();
  EXPECT_LT(Clock::now() - started, milliseconds(2000));
}

TEST_F(CurlMultiTest, FakeUpstreamStopIsPromptWithADelayedHandlerInFlight) {
  auto up = std::make_unique<FakeUpstream>();
  up->Start();
  up->Set("/slow", Step(200).Delay(std::chrono::seconds(10)));
  multi_.Start(Get(up->Url("/slow"), milliseconds(5000)), [](HttpResponse&&) {});
  for (int i = 0; i < 100 && up->Hits("/slow") == 0; ++i) multi_.Poll(milliseconds(20));
  ASSERT_EQ(up->Hits("/slow"), 1u);
  const auto started = Clock::now();
  up.reset();  // the handler is 10 s from answering; Stop() wakes it
  EXPECT_LT(Clock::now() - started, milliseconds(500));
  multi_.CancelAll();
}

}  // namespace
}  // namespace gatewatch::net
