#pragma once
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <string>
#include <vector>

// Reading the files under deploy/ (Kubernetes manifests, the systemd unit, the dashboard)
// for the tests that check them.
namespace gatewatch::testing {

// GATEWATCH_SOURCE_DIR + "/" + relative.
std::string SourcePath(const std::string& relative);
// The whole file; throws std::runtime_error if it cannot be read.
std::string ReadFile(const std::string& path);

// Every *.yaml file under deploy/kubernetes, sorted.
std::vector<std::string> KubernetesManifestFiles();
// Each YAML document of a (multi-document) file; empty documents are skipped.
std::vector<YAML::Node> LoadYamlDocuments(const std::string& path);

// A gatewatch config embedded in the Kubernetes manifests.
struct EmbeddedConfig {
  std::string file;  // manifest path
  std::string name;  // the ConfigMap's metadata.name
  std::string key;   // its data key, "gatewatch.toml"
  std::string toml;  // the config text
};
// Every ConfigMap data entry ending in ".toml" across KubernetesManifestFiles().
std::vector<EmbeddedConfig> EmbeddedGatewatchConfigs();

// Every distinct gatewatch_* metric name in a PromQL expression.
std::set<std::string> GatewatchMetricNames(const std::string& promql);

// The metric families src/metrics/metrics.cpp writes, read from its source (each
// `Begin("gatewatch_...", help, MetricType::X)`): family name -> "Gauge", "Counter",
// "Histogram", "Untyped", ...
std::map<std::string, std::string> ExportedMetricFamilies();
// True if `name` is a series name /metrics can carry: a family, or a histogram family's
// _bucket, _sum or _count.
bool IsExportedMetric(const std::map<std::string, std::string>& families, const std::string& name);

}  // namespace gatewatch::testing
