#include "config/env_expand.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gatewatch::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::optional<std::string> Env(std::string_view name) {
  if (name == "TOKEN") return "abc";
  if (name == "_UNDER_9") return "u9";
  if (name == "EMPTY") return "";
  if (name == "RECURSIVE") return "${TOKEN}";
  return std::nullopt;
}

ExpandResult Expand(std::string_view text) { return ExpandEnv(text, Env); }

TEST(ExpandEnv, ReplacesReferencesAnywhereInTheString) {
  EXPECT_EQ(Expand("Bearer ${TOKEN}").value, "Bearer abc");
  EXPECT_EQ(Expand("${TOKEN}${_UNDER_9}-${TOKEN}").value, "abcu9-abc");
  EXPECT_EQ(Expand("[${EMPTY}]").value, "[]");
  EXPECT_THAT(Expand("[${EMPTY}]").errors, IsEmpty());
}

TEST(ExpandEnv, DoubleDollarIsALiteralDollarAndOtherDollarsStay) {
  EXPECT_EQ(Expand("$${TOKEN}").value, "${TOKEN}");
  EXPECT_EQ(Expand("cost $$5").value, "cost $5");
  EXPECT_EQ(Expand("^ok$").value, "^ok$");
  EXPECT_EQ(Expand("$HOME and $").value, "$HOME and $");
  EXPECT_EQ(Expand("$$$").value, "$$");
}

TEST(ExpandEnv, ValuesFromTheEnvironmentAreNotExpandedAgain) {
  EXPECT_EQ(Expand("${RECURSIVE}").value, "${TOKEN}");
}

TEST(ExpandEnv, ReportsEachMissingVariableOnce) {
  const ExpandResult r = Expand("${NOPE} ${TOKEN} ${NOPE} ${ALSO_NOPE}");
  EXPECT_THAT(r.errors, ElementsAre("environment variable NOPE is not set",
                                    "environment variable ALSO_NOPE is not set"));
}

TEST(ExpandEnv, ReportsMalformedReferences) {
  for (std::string_view text : {"${", "${TOKEN", "${}", "${9LIVES}", "${A-B}", "x ${TOKEN x}"}) {
    const ExpandResult r = Expand(text);
    ASSERT_EQ(r.errors.size(), 1u) << text;
    EXPECT_THAT(r.errors[0], HasSubstr("malformed")) << text;
  }
}

TEST(ExpandEnv, MalformedReferenceDoesNotHideALaterMissingVariable) {
  const ExpandResult r = Expand("${bad-name} ${MISSING}");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0], "environment variable MISSING is not set");
  EXPECT_THAT(r.errors[1], HasSubstr("malformed"));
}

TEST(ExpandEnv, ErrorsNeverContainTheValue) {
  const ExpandResult r = Expand("secret-${TOKEN}-${MISSING}-${oops");
  ASSERT_EQ(r.errors.size(), 2u);
  for (const std::string& e : r.errors) {
    EXPECT_THAT(e, ::testing::Not(HasSubstr("secret"))) << e;
    EXPECT_THAT(e, ::testing::Not(HasSubstr("abc"))) << e;
  }
}

TEST(ExpandEnv, TextWithoutDollarNeverCallsTheLookup) {
  int calls = 0;
  const ExpandResult r = ExpandEnv("plain", [&](std::string_view) -> std::optional<std::string> {
    ++calls;
    return std::nullopt;
  });
  EXPECT_EQ(r.value, "plain");
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace gatewatch::config
