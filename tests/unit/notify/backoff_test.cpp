// Retry timing: jittered exponential backoff, Retry-After parsing, and what each answer means.
#include "notify/backoff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "unit/notify/test_events.h"

namespace gatewatch::notify {
namespace {

using std::chrono::milliseconds;
using testing::SampleWallTime;

net::HttpResponse Answer(int status,
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
  net::HttpResponse r;
  r.http_status = status;
  r.headers = std::move(headers);
  return r;
}

net::HttpResponse TransportFailure(net::TransportError error, std::string text) {
  net::HttpResponse r;
  r.error = error;
  r.error_text = std::move(text);
  return r;
}

TEST(BackoffTest, CapDoublesUpToTheMaximum) {
  const BackoffPolicy policy{milliseconds(1'000), milliseconds(300'000)};
  std::mt19937_64 rng(42);
  EXPECT_EQ(BackoffDelay(policy, 0, rng), milliseconds(0));
  const std::int64_t expected_caps[] = {1'000,  2'000,   4'000,   8'000,   16'000,  32'000,
                                        64'000, 128'000, 256'000, 300'000, 300'000, 300'000};
  for (std::uint32_t failures = 1; failures <= 12; ++failures) {
    const std::int64_t cap = expected_caps[failures - 1];
    std::int64_t lo = cap, hi = 0;
    for (int i = 0; i < 2'000; ++i) {
      const std::int64_t d = BackoffDelay(policy, failures, rng).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, cap) << "failures " << failures;
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    // Full jitter: the whole range is used.
    EXPECT_LT(lo, cap / 10) << "failures " << failures;
    EXPECT_GT(hi, cap * 9 / 10) << "failures " << failures;
  }
  // Huge failure counts neither overflow nor exceed the maximum.
  EXPECT_LE(BackoffDelay(policy, 4'000'000'000u, rng), milliseconds(300'000));
}

TEST(BackoffTest, SameSeedSameDelays) {
  const BackoffPolicy policy;
  std::mt19937_64 a(7), b(7), c(8);
  std::vector<std::int64_t> da, db, dc;
  for (std::uint32_t f = 1; f < 10; ++f) {
    da.push_back(BackoffDelay(policy, f, a).count());
    db.push_back(BackoffDelay(policy, f, b).count());
    dc.push_back(BackoffDelay(policy, f, c).count());
  }
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
}

TEST(BackoffTest, RetryAfterSeconds) {
  const auto now = SampleWallTime();
  EXPECT_EQ(ParseRetryAfter("2", now), milliseconds(2'000));
  EXPECT_EQ(ParseRetryAfter(" 120 ", now), milliseconds(120'000));
  EXPECT_EQ(ParseRetryAfter("0", now), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", now) >= milliseconds(86'400'000), true);
}

TEST(BackoffTest, RetryAfterHttpDates) {
  const auto now = SampleWallTime();  // Mon, 21 Sep 2026 14:13:20 GMT
  EXPECT_EQ(ParseRetryAfter("Mon, 21 Sep 2026 14:13:50 GMT", now), milliseconds(30'000));
  EXPECT_EQ(ParseRetryAfter("Monday, 21-Sep-26 14:13:50 GMT", now), milliseconds(30'000));
  EXPECT_EQ(ParseRetryAfter("Mon Sep 21 14:13:50 2026", now), milliseconds(30'000));
  EXPECT_EQ(ParseRetryAfter("Mon, 21 Sep 2026 14:12:50 GMT", now), milliseconds(0));  // past
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds(0));
}

TEST(BackoffTest, RetryAfterGarbage) {
  const auto now = SampleWallTime();
  for (const char* bad : {"", "   ", "-1", "1.5", "2s", "soon", "Mon, 21 Sep 2026 14:13:50 UTC",
                          "Mon, 21 Foo 2026 14:13:50 GMT", "Mon, 32 Sep 2026 14:13:50 GMT",
                          "Mon, 21 Sep 2026 25:13:50 GMT", "Mon, 21 Sep 2026 14:13 GMT",
                          "Xyz, 21 Sep 2026 14:13:50 GMT", "Mon Sep 21 14:13:50"}) {
    EXPECT_EQ(ParseRetryAfter(bad, now), std::nullopt) << '"' << bad << '"';
  }
}

TEST(BackoffTest, JudgeAnswers) {
  struct Case {
    net::HttpResponse response;
    Verdict verdict;
  };
  const Case cases[] = {
      {Answer(200), Verdict::kDelivered},
      {Answer(204), Verdict::kDelivered},
      {Answer(500), Verdict::kRetry},
      {Answer(502), Verdict::kRetry},
      {Answer(503), Verdict::kRetry},
      {Answer(429), Verdict::kRetry},
      {Answer(408), Verdict::kRetry},
      {Answer(400), Verdict::kPermanent},
      {Answer(401), Verdict::kPermanent},
      {Answer(404), Verdict::kPermanent},
      {Answer(410), Verdict::kPermanent},
      {Answer(301), Verdict::kPermanent},
      {TransportFailure(net::TransportError::kRefused, "refused"), Verdict::kRetry},
      {TransportFailure(net::TransportError::kTimeout, "timed out"), Verdict::kRetry},
      {TransportFailure(net::TransportError::kDns, "no such host"), Verdict::kRetry},
      {TransportFailure(net::TransportError::kCancelled, "cancelled"), Verdict::kCancelled},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Judge(c.response), c.verdict)
        << c.response.http_status << " " << c.response.error_text;
  }
}

TEST(BackoffTest, RetryDelayHonoursRetryAfterOn429And503Only) {
  const BackoffPolicy policy{milliseconds(1'000), milliseconds(300'000)};
  const auto now = SampleWallTime();
  std::mt19937_64 rng(1);
  // First failure: backoff <= 1s, so the receiver's 2s decide.
  EXPECT_EQ(RetryDelay(policy, 1, Answer(429, {{"retry-after", "2"}}), now, rng),
            milliseconds(2'000));
  EXPECT_EQ(RetryDelay(policy, 1, Answer(503, {{"retry-after", "Mon, 21 Sep 2026 14:13:50 GMT"}}),
                       now, rng),
            milliseconds(30'000));
  // Capped at the maximum backoff.
  EXPECT_EQ(RetryDelay(policy, 1, Answer(429, {{"retry-after", "86400"}}), now, rng),
            milliseconds(300'000));
  // Not on other statuses, and garbage falls back to the backoff.
  EXPECT_LE(RetryDelay(policy, 1, Answer(500, {{"retry-after", "60"}}), now, rng),
            milliseconds(1'000));
  EXPECT_LE(RetryDelay(policy, 1, Answer(429, {{"retry-after", "later"}}), now, rng),
            milliseconds(1'000));
  // Retry-After is a minimum: a larger backoff wins.
  for (int i = 0; i < 50; ++i) {
    const auto d = RetryDelay(policy, 9, Answer(429, {{"retry-after", "1"}}), now, rng);
    EXPECT_GE(d, milliseconds(1'000));
    EXPECT_LE(d, milliseconds(256'000));
  }
}

TEST(BackoffTest, DescribeFailure) {
  EXPECT_EQ(DescribeFailure(Answer(500)), "HTTP 500");
  net::HttpResponse r = Answer(400);
  r.body = "invalid_payload\n\tmore";
  EXPECT_EQ(DescribeFailure(r), "HTTP 400: invalid_payload  more");
  r.body = std::string(500, 'x');
  EXPECT_EQ(DescribeFailure(r), "HTTP 400: " + std::string(200, 'x') + "...");
  EXPECT_EQ(DescribeFailure(TransportFailure(net::TransportError::kRefused, "Connection refused")),
            "connect refused: Connection refused");
}

}  // namespace
}  // namespace gatewatch::notify
