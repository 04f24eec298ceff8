#include "diagnose/findings.h"

#include <gtest/gtest.h>

#include <vector>

namespace gatewatch::diagnose {
namespace {

using probe::FailureReason;
using std::chrono::milliseconds;

probe::ProbeResult Result(FailureReason reason, int status,
                          milliseconds latency = milliseconds(1)) {
  probe::ProbeResult r;
  r.reason = reason;
  r.http_status = status;
  r.latency = latency;
  r.detail = "detail";
  return r;
}

TEST(WorthCheckingUpstream, OnlyWhenTheGatewayAnsweredOrBrokeAfterConnecting) {
  const struct {
    probe::ProbeResult gateway;
    bool want;
  } cases[] = {
      {Result(FailureReason::kStatus, 502), true},
      {Result(FailureReason::kStatus, 504), true},
      {Result(FailureReason::kHealth, 503), true},
      {Result(FailureReason::kTimeout, 0), true},
      {Result(FailureReason::kReset, 0), true},
      {Result(FailureReason::kProtocol, 0), true},
      {Result(FailureReason::kNone, 200), false},
      {Result(FailureReason::kNone, 503), false},  // 503 expected: a pass
      {Result(FailureReason::kStatus, 404), false},
      {Result(FailureReason::kBody, 200), false},
      {Result(FailureReason::kDns, 0), false},
      {Result(FailureReason::kRefused, 0), false},
      {Result(FailureReason::kConnectTimeout, 0), false},
      {Result(FailureReason::kTls, 0), false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(WorthCheckingUpstream(c.gateway), c.want)
        << probe::ReasonName(c.gateway.reason) << " " << c.gateway.http_status;
  }
}

TEST(CorrelateFinding, CarriesTheBackendProbeAndTheVerdict) {
  auto upstream = Result(FailureReason::kRefused, 0, milliseconds(2));
  upstream.wall_started = core::Clock::WallTimePoint(std::chrono::seconds(1'790'000'000));
  const UpstreamFinding f = CorrelateFinding(Result(FailureReason::kStatus, 502), upstream);
  EXPECT_FALSE(f.success);
  EXPECT_EQ(f.http_status, 0);
  EXPECT_EQ(f.reason, FailureReason::kRefused);
  EXPECT_EQ(f.latency, milliseconds(2));
  EXPECT_EQ(f.checked, upstream.wall_started);
  EXPECT_EQ(f.kind, UpstreamCase::kBackendRefuses);
  EXPECT_NE(f.text.find("the backend refuses connections"), std::string::npos) << f.text;

  const UpstreamFinding alone = UpstreamAlone(Result(FailureReason::kNone, 200));
  EXPECT_TRUE(alone.success);
  EXPECT_EQ(alone.http_status, 200);
  EXPECT_EQ(alone.kind, UpstreamCase::kNotApplicable);
  EXPECT_EQ(alone.text, "");
}

TEST(WorstResult, NoAnswerBeats5xxBeatsOtherFailuresBeatsPass) {
  const std::vector<probe::ProbeResult> mixed = {
      Result(FailureReason::kNone, 200, milliseconds(90)),
      Result(FailureReason::kStatus, 404),
      Result(FailureReason::kStatus, 502),
      Result(FailureReason::kRefused, 0),
      Result(FailureReason::kStatus, 503),
  };
  EXPECT_EQ(WorstResult(mixed), 3u);
  EXPECT_EQ(WorstResult(std::vector{mixed[0], mixed[1], mixed[2]}), 2u);
  EXPECT_EQ(WorstResult(std::vector{mixed[0], mixed[1]}), 1u);
  // Every address passed: the slowest speaks for the round.
  EXPECT_EQ(WorstResult(std::vector{Result(FailureReason::kNone, 200, milliseconds(3)),
                                    Result(FailureReason::kNone, 200, milliseconds(7)),
                                    Result(FailureReason::kNone, 200, milliseconds(5))}),
            1u);
  // Equal failures: the slowest, then the first.
  EXPECT_EQ(WorstResult(std::vector{Result(FailureReason::kTimeout, 0, milliseconds(200)),
                                    Result(FailureReason::kRefused, 0, milliseconds(1))}),
            0u);
  EXPECT_EQ(WorstResult(std::vector{Result(FailureReason::kRefused, 0),
                                    Result(FailureReason::kRefused, 0)}),
            0u);
  EXPECT_EQ(WorstResult(std::vector{Result(FailureReason::kNone, 200)}), 0u);
}

TEST(BackendsSentence, NamesEachFailingAddressAndHowItFails) {
  const auto b = [](const char* address, FailureReason reason, int status) {
    return ToBackend(address, Result(reason, status));
  };
  const struct {
    std::vector<BackendResult> backends;
    const char* want;
  } cases[] = {
      {{b("127.0.0.1", FailureReason::kNone, 200), b("::1", FailureReason::kRefused, 0)},
       "1 of 2 backends failing: ::1 refused"},
      {{b("10.0.0.6", FailureReason::kNone, 200), b("10.0.0.7", FailureReason::kRefused, 0),
        b("10.0.0.8", FailureReason::kStatus, 502)},
       "2 of 3 backends failing: 10.0.0.7 refused, 10.0.0.8 502"},
      {{b("10.0.0.7", FailureReason::kTimeout, 0)}, "1 of 1 backend failing: 10.0.0.7 timeout"},
      {{b("10.0.0.7", FailureReason::kBody, 200), b("10.0.0.8", FailureReason::kHealth, 503)},
       "2 of 2 backends failing: 10.0.0.7 body, 10.0.0.8 health"},
      {{b("10.0.0.7", FailureReason::kNone, 200), b("10.0.0.8", FailureReason::kNone, 204)}, ""},
      {{}, ""},
  };
  for (const auto& c : cases) EXPECT_EQ(BackendsSentence(c.backends), c.want);
}

TEST(ConfirmSentence, SaysTransientPersistentOrIntermittent) {
  EXPECT_EQ(ConfirmSentence({0, 0}), "");
  EXPECT_EQ(ConfirmSentence({1, 0}), "transient: 1 confirm probe passed");
  EXPECT_EQ(ConfirmSentence({2, 0}), "transient: 2 confirm probes passed");
  EXPECT_EQ(ConfirmSentence({1, 1}), "persistent: reproduced 1 of 1");
  EXPECT_EQ(ConfirmSentence({2, 2}), "persistent: reproduced 2 of 2");
  EXPECT_EQ(ConfirmSentence({2, 1}), "intermittent: reproduced 1 of 2");
}

TEST(StreakSentence, SaysHowManyProbesInARowFailed) {
  EXPECT_EQ(StreakSentence(0), "");
  EXPECT_EQ(StreakSentence(1), "");
  EXPECT_EQ(StreakSentence(2), "persistent: failed 2 probes in a row");
  EXPECT_EQ(StreakSentence(40), "persistent: failed 40 probes in a row");
}

TEST(ComposeDiagnosis, JoinsThePartsThatArePresent) {
  const std::string base = "502 from nginx (gateway): the gateway got no valid answer";
  EXPECT_EQ(ComposeDiagnosis(base, {}), base);

  Findings all;
  all.backends = {ToBackend("127.0.0.1", Result(FailureReason::kStatus, 502)),
                  ToBackend("::1", Result(FailureReason::kNone, 200))};
  all.upstream = UpstreamFinding{};
  all.upstream->kind = UpstreamCase::kBackendRefuses;
  all.upstream->text = "the backend refuses connections";
  all.confirm = ConfirmFinding{1, 1};
  EXPECT_EQ(ComposeDiagnosis(base, all),
            "1 of 2 backends failing: 127.0.0.1 502; " + base +
                "; the backend refuses connections; persistent: reproduced 1 of 1");

  // A backend probe that only keeps the gauge current says nothing about this failure.
  Findings quiet;
  quiet.upstream = UpstreamAlone(Result(FailureReason::kNone, 200));
  quiet.confirm = ConfirmFinding{2, 0};
  EXPECT_EQ(ComposeDiagnosis(base, quiet), base + "; transient: 2 confirm probes passed");

  // No confirm probe after earlier failures: the streak speaks instead.
  Findings streak;
  streak.failed_in_a_row = 3;
  EXPECT_EQ(ComposeDiagnosis(base, streak), base + "; persistent: failed 3 probes in a row");
  streak.confirm = ConfirmFinding{1, 1};
  EXPECT_EQ(ComposeDiagnosis(base, streak), base + "; persistent: reproduced 1 of 1");
}

}  // namespace
}  // namespace gatewatch::diagnose
