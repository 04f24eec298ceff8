// deploy/grafana/gatewatch-dashboard.json: a dashboard Grafana imports (schema, variables,
// layout) whose every query is valid PromQL over metrics gatewatch exports.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/deploy_files.h"
#include "support/promtool.h"

namespace gatewatch::testing {
namespace {

using nlohmann::json;

json Dashboard() {
  return json::parse(ReadFile(SourcePath("deploy/grafana/gatewatch-dashboard.json")));
}

std::vector<json> Panels(const json& dashboard) {
  std::vector<json> out;
  for (const auto& p : dashboard.at("panels")) {
    if (p.value("type", "") != "row") out.push_back(p);
    for (const auto& nested : p.value("panels", json::array())) out.push_back(nested);
  }
  return out;
}

std::vector<std::string> Expressions(const json& dashboard) {
  std::vector<std::string> out;
  for (const auto& p : Panels(dashboard)) {
    for (const auto& t : p.value("targets", json::array())) out.push_back(t.at("expr"));
  }
  return out;
}

// Grafana's variables as Prometheus sees them after interpolation.
std::string Interpolated(std::string expr) {
  const std::vector<std::pair<std::string, std::string>> kVars = {{"$__rate_interval", "1m"},
                                                                  {"$window", "5m"},
                                                                  {"$job", ".*"},
                                                                  {"$instance", ".*"},
                                                                  {"$target", ".*"}};
  for (const auto& [var, value] : kVars) {
    for (auto pos = expr.find(var); pos != std::string::npos; pos = expr.find(var, pos)) {
      expr.replace(pos, var.size(), value);
      pos += value.size();
    }
  }
  return expr;
}

TEST(GrafanaDashboard, HasTheShapeGrafanaImports) {
  const auto d = Dashboard();
  EXPECT_GE(d.at("schemaVersion").get<int>(), 36);
  EXPECT_LE(d.at("schemaVersion").get<int>(), 39);
  EXPECT_EQ(d.at("uid"), "gatewatch");
  EXPECT_FALSE(d.at("title").get<std::string>().empty());

  std::set<std::string> variables;
  for (const auto& v : d.at("templating").at("list")) {
    variables.insert(v.at("name").get<std::string>());
    if (v.at("name") == "datasource") {
      EXPECT_EQ(v.at("type"), "datasource");
      EXPECT_EQ(v.at("query"), "prometheus");
    } else {
      EXPECT_EQ(v.at("type"), "query");
      EXPECT_EQ(v.at("datasource").at("uid"), "${datasource}") << v.at("name");
    }
  }
  for (const char* want : {"datasource", "job", "instance", "target", "window"}) {
    EXPECT_TRUE(variables.contains(want)) << want;
  }

  std::set<int> ids;
  for (const auto& p : d.at("panels")) {
    EXPECT_TRUE(ids.insert(p.at("id").get<int>()).second) << "duplicate panel id " << p.at("id");
    const auto& g = p.at("gridPos");
    EXPECT_GE(g.at("x").get<int>(), 0);
    EXPECT_LE(g.at("x").get<int>() + g.at("w").get<int>(), 24) << p.at("title");
    EXPECT_GT(g.at("h").get<int>(), 0);
  }
  const auto panels = Panels(d);
  EXPECT_GE(panels.size(), 12u);
  for (const auto& p : panels) {
    EXPECT_EQ(p.at("datasource").at("uid"), "${datasource}") << p.at("title");
    ASSERT_FALSE(p.value("targets", json::array()).empty()) << p.at("title");
    for (const auto& t : p.at("targets")) {
      EXPECT_EQ(t.at("datasource").at("uid"), "${datasource}") << p.at("title");
    }
  }
}

TEST(GrafanaDashboard, QueriesUseOnlyExportedMetrics) {
  const auto families = ExportedMetricFamilies();
  std::set<std::string> used;
  for (const auto& expr : Expressions(Dashboard())) {
    const auto names = GatewatchMetricNames(expr);
    EXPECT_FALSE(names.empty()) << expr;
    for (const auto& name : names) {
      EXPECT_TRUE(IsExportedMetric(families, name)) << name << " in " << expr;
      used.insert(name);
    }
  }
  // The views the dashboard exists for.
  for (const char* want :
       {"gatewatch_window_ratio", "gatewatch_window_latency_seconds", "gatewatch_probe_5xx_total",
        "gatewatch_probe_failures_total", "gatewatch_alert_state", "gatewatch_notifications_total",
        "gatewatch_schedule_lag_seconds_bucket", "gatewatch_probes_in_flight"}) {
    EXPECT_TRUE(used.contains(want)) << want;
  }
}

TEST(GrafanaDashboard, QueriesAreValidPromQL) {
  if (!PromtoolAvailable()) GTEST_SKIP() << kPromtool << " not installed";
  // promtool has no "check expression"; recording rules are checked with the PromQL parser.
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq << YAML::BeginMap
      << YAML::Key << "name" << YAML::Value << "dashboard" << YAML::Key << "rules" << YAML::Value
      << YAML::BeginSeq;
  int n = 0;
  for (const auto& expr : Expressions(Dashboard())) {
    out << YAML::BeginMap << YAML::Key << "record" << YAML::Value
        << "dashboard:query" + std::to_string(++n) << YAML::Key << "expr" << YAML::Value
        << Interpolated(expr) << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  TempDir dir;
  const auto result =
      RunCommand(kPromtool, {"check", "rules", dir.Write("rules.yaml", out.c_str())});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("SUCCESS: " + std::to_string(n) + " rules found"), std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace gatewatch::testing
