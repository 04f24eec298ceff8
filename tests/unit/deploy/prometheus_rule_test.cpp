// deploy/kubernetes/prometheusrule.yaml: valid rules (promtool) over metric names gatewatch
// really exports, covering the agent's own failure modes.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "support/child_process.h"
#include "support/deploy_files.h"
#include "support/promtool.h"

namespace gatewatch::testing {
namespace {

YAML::Node RuleGroups() {
  for (const auto& doc : LoadYamlDocuments(SourcePath("deploy/kubernetes/prometheusrule.yaml"))) {
    if (doc["kind"].as<std::string>("") == "PrometheusRule") return doc["spec"]["groups"];
  }
  return {};
}

TEST(PrometheusRule, MetricFamiliesAreReadFromTheExporter) {
  const auto families = ExportedMetricFamilies();
  // The parse is only as good as what it finds: the contract's core families, typed.
  EXPECT_GE(families.size(), 20u);
  EXPECT_EQ(families.at("gatewatch_probe_duration_seconds"), "Histogram");
  EXPECT_EQ(families.at("gatewatch_probes_total"), "Counter");
  EXPECT_EQ(families.at("gatewatch_window_ratio"), "Gauge");
  EXPECT_TRUE(IsExportedMetric(families, "gatewatch_schedule_lag_seconds_bucket"));
  EXPECT_FALSE(IsExportedMetric(families, "gatewatch_probes_total_bucket"));
  EXPECT_FALSE(IsExportedMetric(families, "gatewatch_probe_502_ratio"));
}

TEST(PrometheusRule, ExpressionsUseOnlyExportedMetrics) {
  const auto families = ExportedMetricFamilies();
  const auto groups = RuleGroups();
  ASSERT_TRUE(groups && groups.IsSequence());
  int rules = 0;
  for (const auto& group : groups) {
    for (const auto& rule : group["rules"]) {
      ++rules;
      const auto expr = rule["expr"].as<std::string>();
      const auto names = GatewatchMetricNames(expr);
      // Every rule but the scrape-level ones reads a gatewatch metric.
      if (expr.find("up{") == std::string::npos) {
        EXPECT_FALSE(names.empty()) << expr;
      }
      for (const auto& name : names) {
        EXPECT_TRUE(IsExportedMetric(families, name))
            << rule["alert"].as<std::string>() << " uses " << name << ", which gatewatch does "
            << "not export";
      }
    }
  }
  EXPECT_GE(rules, 6);
}

TEST(PrometheusRule, CoversTheAgentsOwnFailureModes) {
  std::set<std::string> alerts;
  for (const auto& group : RuleGroups()) {
    for (const auto& rule : group["rules"]) {
      const auto name = rule["alert"].as<std::string>("");
      alerts.insert(name);
      EXPECT_FALSE(rule["labels"]["severity"].as<std::string>("").empty()) << name;
      EXPECT_FALSE(rule["annotations"]["summary"].as<std::string>("").empty()) << name;
    }
  }
  for (const char* want :
       {"GatewatchAgentDown", "GatewatchAgentSaturated", "GatewatchNotificationsDropped",
        "GatewatchConfigReloadFailed", "GatewatchTarget502Ratio"}) {
    EXPECT_TRUE(alerts.contains(want)) << want;
  }
}

TEST(PrometheusRule, PassesPromtoolCheckRules) {
  if (!PromtoolAvailable()) GTEST_SKIP() << kPromtool << " not installed";
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << RuleGroups() << YAML::EndMap;
  TempDir dir;
  const auto path = dir.Write("rules.yaml", out.c_str());
  const auto result = RunCommand(kPromtool, {"check", "rules", path});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("SUCCESS"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace gatewatch::testing
