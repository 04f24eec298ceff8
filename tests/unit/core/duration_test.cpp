#include "core/duration.h"

#include <gtest/gtest.h>

namespace gatewatch::core {
namespace {

TEST(ParseDuration, AcceptsEveryUnit) {
  EXPECT_EQ(ParseDuration("250ms"), Millis(250));
  EXPECT_EQ(ParseDuration("15s"), Millis(15'000));
  EXPECT_EQ(ParseDuration("5m"), Millis(300'000));
  EXPECT_EQ(ParseDuration("1h"), Millis(3'600'000));
  EXPECT_EQ(ParseDuration("7d"), Millis(7LL * 86'400'000));
  EXPECT_EQ(ParseDuration("0s"), Millis(0));
}

TEST(ParseDuration, AcceptsCompoundForms) {
  EXPECT_EQ(ParseDuration("1m30s"), Millis(90'000));
  EXPECT_EQ(ParseDuration("1h0m5s250ms"), Millis(3'605'250));
}

TEST(ParseDuration, RejectsMalformedInput) {
  for (const char* bad : {"", "s", "15", "1.5s", "-1s", " 1s", "1s ", "1 s", "1x", "5M", "1mm",
                          "99999999999999999999s", "200000d"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
}

TEST(FormatDuration, PrintsShortestExactForm) {
  EXPECT_EQ(FormatDuration(Millis(0)), "0s");
  EXPECT_EQ(FormatDuration(Millis(250)), "250ms");
  EXPECT_EQ(FormatDuration(Millis(90'000)), "1m30s");
  EXPECT_EQ(FormatDuration(Millis(86'400'000)), "1d");
  EXPECT_EQ(FormatDuration(Millis(3'605'250)), "1h5s250ms");
}

// Found by fuzz/duration_fuzzer: negating the most negative count overflowed (UB).
TEST(FormatDuration, HandlesExtremeCounts) {
  EXPECT_EQ(FormatDuration(Millis::min()), "-106751991167d7h12m55s808ms");
  EXPECT_EQ(FormatDuration(Millis::max()), "106751991167d7h12m55s807ms");
  EXPECT_EQ(FormatDuration(Millis(-90'000)), "-1m30s");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (long long ms : {1LL, 999LL, 1000LL, 61'001LL, 7LL * 86'400'000 + 1}) {
    EXPECT_EQ(ParseDuration(FormatDuration(Millis(ms))), Millis(ms));
  }
}

}  // namespace
}  // namespace gatewatch::core
