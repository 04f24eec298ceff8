#include "diagnose/verdict.h"

#include <gtest/gtest.h>

namespace gatewatch::diagnose {
namespace {

using std::chrono::milliseconds;
using probe::FailureReason;

probe::ProbeResult Result(FailureReason reason, int status, milliseconds latency) {
  probe::ProbeResult r;
  r.reason = reason;
  r.http_status = status;
  r.latency = latency;
  r.detail = "detail";
  return r;
}

struct Case {
  const char* name;
  probe::ProbeResult gateway, upstream;
  UpstreamCase want;
  const char* phrase;
};

TEST(CorrelateUpstream, NamesEachCasePlainly) {
  const Case cases[] = {
      {"refused", Result(FailureReason::kStatus, 502, milliseconds(2)),
       Result(FailureReason::kRefused, 0, milliseconds(1)), UpstreamCase::kBackendRefuses,
       "the backend refuses connections"},
      {"times out", Result(FailureReason::kStatus, 504, milliseconds(1000)),
       Result(FailureReason::kTimeout, 0, milliseconds(3000)), UpstreamCase::kBackendTimesOut,
       "does not answer in time"},
      {"backend 500", Result(FailureReason::kStatus, 502, milliseconds(5)),
       Result(FailureReason::kStatus, 500, milliseconds(4)), UpstreamCase::kBackendErrors,
       "the backend itself answers 500"},
      {"gateway timeout shorter", Result(FailureReason::kStatus, 504, milliseconds(1000)),
       Result(FailureReason::kNone, 200, milliseconds(2500)),
       UpstreamCase::kGatewayTimeoutShorter, "upstream timeout is shorter"},
      {"backend fine", Result(FailureReason::kStatus, 502, milliseconds(3)),
       Result(FailureReason::kNone, 200, milliseconds(2)), UpstreamCase::kBackendFine,
       "misrouted"},
      {"quick 502, backend as fast", Result(FailureReason::kStatus, 502, milliseconds(1)),
       Result(FailureReason::kNone, 200, milliseconds(2)), UpstreamCase::kBackendFine,
       "misrouted"},
      {"slow 502, backend slower", Result(FailureReason::kStatus, 502, milliseconds(30'000)),
       Result(FailureReason::kNone, 200, milliseconds(45'000)),
       UpstreamCase::kGatewayTimeoutShorter, "upstream timeout is shorter"},
      {"backend reset", Result(FailureReason::kStatus, 502, milliseconds(3)),
       Result(FailureReason::kReset, 0, milliseconds(2)), UpstreamCase::kBackendUnreachable,
       "cannot be talked to"},
  };
  for (const auto& c : cases) {
    const auto v = CorrelateUpstream(c.gateway, c.upstream);
    EXPECT_EQ(v.kind, c.want) << c.name;
    EXPECT_NE(v.text.find(c.phrase), std::string::npos) << c.name << ": " << v.text;
  }
}

TEST(CorrelateUpstream, PassingGatewayNeedsNoVerdict) {
  const auto v = CorrelateUpstream(Result(FailureReason::kNone, 200, milliseconds(1)),
                                   Result(FailureReason::kRefused, 0, milliseconds(1)));
  EXPECT_EQ(v.kind, UpstreamCase::kNotApplicable);
  EXPECT_EQ(v.text, "");
}

}  // namespace
}  // namespace gatewatch::diagnose
