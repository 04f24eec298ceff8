#include "support/deploy_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace gatewatch::testing {

std::string SourcePath(const std::string& relative) {
  return std::string(GATEWATCH_SOURCE_DIR) + "/" + relative;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> KubernetesManifestFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("deploy/kubernetes"))) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<YAML::Node> LoadYamlDocuments(const std::string& path) {
  std::vector<YAML::Node> docs;
  for (auto& doc : YAML::LoadAllFromFile(path)) {
    if (doc.IsDefined() && !doc.IsNull()) docs.push_back(doc);
  }
  return docs;
}

std::vector<EmbeddedConfig> EmbeddedGatewatchConfigs() {
  std::vector<EmbeddedConfig> configs;
  for (const auto& file : KubernetesManifestFiles()) {
    for (const auto& doc : LoadYamlDocuments(file)) {
      if (doc["kind"].as<std::string>("") != "ConfigMap" || !doc["data"]) continue;
      for (const auto& entry : doc["data"]) {
        const auto key = entry.first.as<std::string>();
        if (key.size() > 5 && key.ends_with(".toml")) {
          configs.push_back({file, doc["metadata"]["name"].as<std::string>(), key,
                             entry.second.as<std::string>()});
        }
      }
    }
  }
  return configs;
}

std::set<std::string> GatewatchMetricNames(const std::string& promql) {
  static const std::regex kName(R"(\bgatewatch_[a-zA-Z0-9_]+)");
  std::set<std::string> names;
  for (auto it = std::sregex_iterator(promql.begin(), promql.end(), kName);
       it != std::sregex_iterator(); ++it) {
    names.insert(it->str());
  }
  return names;
}

std::map<std::string, std::string> ExportedMetricFamilies() {
  static const std::regex kBegin(
      R"re(Begin\(\s*"(gatewatch_[a-zA-Z0-9_]+)"[\s\S]*?MetricType::(\w+))re");
  const std::string source = ReadFile(SourcePath("src/metrics/metrics.cpp"));
  std::map<std::string, std::string> families;
  for (auto it = std::sregex_iterator(source.begin(), source.end(), kBegin);
       it != std::sregex_iterator(); ++it) {
    families.emplace((*it)[1].str(), (*it)[2].str());
  }
  return families;
}

bool IsExportedMetric(const std::map<std::string, std::string>& families, const std::string& name) {
  if (families.contains(name)) return true;
  for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
    if (!name.ends_with(suffix)) continue;
    const auto it = families.find(name.substr(0, name.size() - suffix.size()));
    if (it != families.end() && it->second == "Histogram") return true;
  }
  return false;
}

}  // namespace gatewatch::testing
