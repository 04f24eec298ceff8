// The Kubernetes examples under deploy/kubernetes, read as a cluster would: every object is
// well-formed, every container hardened, the probes, ports, selectors, volumes and secrets
// line up, and the StatefulSet derives its shard from the pod ordinal.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "support/deploy_files.h"

namespace gatewatch::testing {
namespace {

struct Object {
  std::string file;
  YAML::Node node;
  std::string kind() const { return node["kind"].as<std::string>(""); }
  std::string name() const { return node["metadata"]["name"].as<std::string>(""); }
  std::string Where() const { return file + ": " + kind() + "/" + name(); }
};

std::vector<Object> AllObjects() {
  std::vector<Object> objects;
  for (const auto& file : KubernetesManifestFiles()) {
    for (const auto& doc : LoadYamlDocuments(file)) objects.push_back({file, doc});
  }
  return objects;
}

std::vector<Object> OfKind(const std::string& kind) {
  std::vector<Object> out;
  for (const auto& o : AllObjects()) {
    if (o.kind() == kind) out.push_back(o);
  }
  return out;
}

bool IsWorkload(const Object& o) {
  static const std::set<std::string> kWorkloads = {"Deployment", "StatefulSet", "DaemonSet", "Job"};
  return kWorkloads.contains(o.kind());
}

std::vector<YAML::Node> Containers(const Object& workload) {
  std::vector<YAML::Node> out;
  const auto spec = workload.node["spec"]["template"]["spec"];
  for (const char* list : {"initContainers", "containers"}) {
    if (!spec[list]) continue;
    for (const auto& c : spec[list]) out.push_back(c);
  }
  return out;
}

bool IsGatewatch(const YAML::Node& container) {
  return container["image"].as<std::string>("").find("/gatewatch:") != std::string::npos;
}

// labels ⊇ selector
bool Selects(const YAML::Node& selector, const YAML::Node& labels) {
  if (!selector || !selector.IsMap() || selector.size() == 0 || !labels) return false;
  for (const auto& kv : selector) {
    const auto key = kv.first.as<std::string>();
    if (!labels[key] || labels[key].as<std::string>() != kv.second.as<std::string>()) {
      return false;
    }
  }
  return true;
}

// "64Mi" -> bytes; also k/M/G and Ki/Gi. nullopt for anything else.
std::optional<std::uint64_t> Bytes(const std::string& quantity) {
  static const std::regex kQuantity(R"(^(\d+)(Ki|Mi|Gi|k|M|G)?$)");
  std::smatch m;
  if (!std::regex_match(quantity, m, kQuantity)) return std::nullopt;
  static const std::map<std::string, std::uint64_t> kUnit = {{"", 1},
                                                             {"k", 1000},
                                                             {"M", 1000'000},
                                                             {"G", 1000'000'000},
                                                             {"Ki", 1ULL << 10},
                                                             {"Mi", 1ULL << 20},
                                                             {"Gi", 1ULL << 30}};
  return std::stoull(m[1].str()) * kUnit.at(m[2].str());
}

std::vector<std::string> Strings(const YAML::Node& list) {
  std::vector<std::string> out;
  if (list && list.IsSequence()) {
    for (const auto& item : list) out.push_back(item.as<std::string>());
  }
  return out;
}

TEST(KubernetesManifests, EveryObjectHasApiVersionKindAndName) {
  const auto objects = AllObjects();
  ASSERT_GE(objects.size(), 10u);
  std::set<std::string> kinds;
  std::set<std::string> seen;
  for (const auto& o : objects) {
    EXPECT_FALSE(o.node["apiVersion"].as<std::string>("").empty()) << o.Where();
    EXPECT_FALSE(o.kind().empty()) << o.file;
    EXPECT_TRUE(std::regex_match(o.name(), std::regex(R"([a-z0-9]([-a-z0-9]*[a-z0-9])?)")))
        << o.Where();
    EXPECT_TRUE(seen.insert(o.kind() + "/" + o.name()).second) << "duplicate " << o.Where();
    kinds.insert(o.kind());
  }
  for (const char* kind : {"ConfigMap", "Secret", "Deployment", "StatefulSet", "Service",
                           "ServiceMonitor", "PrometheusRule", "PersistentVolumeClaim"}) {
    EXPECT_TRUE(kinds.contains(kind)) << "no " << kind << " example";
  }
}

TEST(KubernetesManifests, EveryContainerIsHardenedAndSized) {
  int containers = 0;
  for (const auto& w : AllObjects()) {
    if (!IsWorkload(w)) continue;
    const auto pod = w.node["spec"]["template"]["spec"];
    EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>(false)) << w.Where();
    EXPECT_FALSE(pod["automountServiceAccountToken"].as<bool>(true)) << w.Where();
    for (const auto& c : Containers(w)) {
      ++containers;
      const std::string where = w.Where() + " container " + c["name"].as<std::string>("");
      const auto sc = c["securityContext"];
      EXPECT_TRUE(sc["runAsNonRoot"].as<bool>(false)) << where;
      EXPECT_TRUE(sc["readOnlyRootFilesystem"].as<bool>(false)) << where;
      EXPECT_FALSE(sc["allowPrivilegeEscalation"].as<bool>(true)) << where;
      const auto drop = Strings(sc["capabilities"]["drop"]);
      EXPECT_NE(std::find(drop.begin(), drop.end(), "ALL"), drop.end()) << where;
      EXPECT_FALSE(sc["capabilities"]["add"]) << where;
      EXPECT_EQ(sc["seccompProfile"]["type"].as<std::string>(""), "RuntimeDefault") << where;

      const auto res = c["resources"];
      EXPECT_TRUE(res["requests"]["cpu"]) << where;
      const auto request = Bytes(res["requests"]["memory"].as<std::string>(""));
      const auto limit = Bytes(res["limits"]["memory"].as<std::string>(""));
      ASSERT_TRUE(request && limit) << where;
      EXPECT_LE(*request, *limit) << where;
      if (IsGatewatch(c)) {
        // README "Performance": 17 MB RSS idle, ~22-25 MB at 1,000 targets, ~56-82 MB at
        // 10,000. Below 32 Mi even a sidecar with a few targets would be OOM-killed.
        EXPECT_GE(*request, 32ULL << 20) << where;
        EXPECT_GE(*limit, 64ULL << 20) << where;
        EXPECT_FALSE(res["limits"]["cpu"]) << where << ": CPU throttling distorts latencies";
      }
    }
  }
  EXPECT_GE(containers, 4);
}

TEST(KubernetesManifests, GatewatchContainersProbeHealthzAndReadyzOnTheirPort) {
  int gatewatch = 0;
  for (const auto& w : AllObjects()) {
    if (!IsWorkload(w)) continue;
    for (const auto& c : Containers(w)) {
      if (!IsGatewatch(c)) continue;
      ++gatewatch;
      const std::string where = w.Where() + " container " + c["name"].as<std::string>("");
      std::string port_name;
      for (const auto& p : c["ports"]) {
        if (p["containerPort"].as<int>(0) == 9502) port_name = p["name"].as<std::string>("");
      }
      ASSERT_FALSE(port_name.empty()) << where << ": no named port 9502";
      EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(""), "/healthz") << where;
      EXPECT_EQ(c["livenessProbe"]["httpGet"]["port"].as<std::string>(""), port_name) << where;
      EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(""), "/readyz") << where;
      EXPECT_EQ(c["readinessProbe"]["httpGet"]["port"].as<std::string>(""), port_name) << where;
    }
  }
  EXPECT_EQ(gatewatch, 3) << "standalone, StatefulSet and sidecar";
}

// Where a gatewatch container reads its config from, and what that config says.
struct MountedConfig {
  std::string configmap, key, toml;
  YAML::Node container, pod;
};

MountedConfig ConfigOf(const Object& w, const YAML::Node& container) {
  MountedConfig out;
  out.container = container;
  out.pod = w.node["spec"]["template"]["spec"];
  const auto args = Strings(container["args"]);
  const auto flag = std::find(args.begin(), args.end(), "--config");
  if (flag == args.end() || flag + 1 == args.end()) return out;
  const std::string path = *(flag + 1);
  for (const auto& m : container["volumeMounts"]) {
    const auto dir = m["mountPath"].as<std::string>() + "/";
    if (!path.starts_with(dir)) continue;
    for (const auto& v : out.pod["volumes"]) {
      if (v["name"].as<std::string>() != m["name"].as<std::string>() || !v["configMap"]) continue;
      out.configmap = v["configMap"]["name"].as<std::string>();
      out.key = path.substr(dir.size());
    }
  }
  for (const auto& cm : OfKind("ConfigMap")) {
    if (cm.name() == out.configmap && cm.node["data"][out.key]) {
      out.toml = cm.node["data"][out.key].as<std::string>();
    }
  }
  return out;
}

TEST(KubernetesManifests, ConfigIsMountedAndStateDirIsWritable) {
  static const std::regex kStateDir(R"re(state_dir\s*=\s*"([^"]*)")re");
  for (const auto& w : AllObjects()) {
    if (!IsWorkload(w)) continue;
    for (const auto& c : Containers(w)) {
      if (!IsGatewatch(c)) continue;
      const auto mounted = ConfigOf(w, c);
      ASSERT_FALSE(mounted.toml.empty())
          << w.Where() << ": --config does not point into a mounted ConfigMap key";
      std::smatch m;
      ASSERT_TRUE(std::regex_search(mounted.toml, m, kStateDir)) << w.Where();
      const std::string state_dir = m[1].str();
      // readOnlyRootFilesystem: the state must live on a writable volume.
      bool writable = false;
      for (const auto& vm : c["volumeMounts"]) {
        if (vm["mountPath"].as<std::string>() == state_dir) {
          writable = !vm["readOnly"].as<bool>(false);
        }
      }
      EXPECT_TRUE(writable) << w.Where() << ": state_dir " << state_dir << " not a writable mount";
    }
  }
}

TEST(KubernetesManifests, EveryConfigVariableReachesTheContainer) {
  static const std::regex kVar(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})");
  std::map<std::string, std::set<std::string>> secret_keys;
  for (const auto& s : OfKind("Secret")) {
    for (const char* field : {"stringData", "data"}) {
      for (const auto& kv : s.node[field]) secret_keys[s.name()].insert(kv.first.as<std::string>());
    }
  }
  for (const auto& w : AllObjects()) {
    if (!IsWorkload(w)) continue;
    for (const auto& c : Containers(w)) {
      if (!IsGatewatch(c)) continue;
      std::set<std::string> env;
      for (const auto& e : c["env"]) env.insert(e["name"].as<std::string>());
      for (const auto& from : c["envFrom"]) {
        const auto name = from["secretRef"]["name"].as<std::string>("");
        ASSERT_TRUE(secret_keys.contains(name)) << w.Where() << ": no Secret " << name;
        env.insert(secret_keys[name].begin(), secret_keys[name].end());
      }
      const auto toml = ConfigOf(w, c).toml;
      int vars = 0;
      for (auto it = std::sregex_iterator(toml.begin(), toml.end(), kVar);
           it != std::sregex_iterator(); ++it, ++vars) {
        EXPECT_TRUE(env.contains((*it)[1].str()))
            << w.Where() << ": config uses ${" << (*it)[1].str() << "}, the container lacks it";
      }
      EXPECT_GE(vars, 1) << w.Where();
    }
  }
}

TEST(KubernetesManifests, StatefulSetTakesItsShardFromThePodOrdinal) {
  const auto sets = OfKind("StatefulSet");
  ASSERT_EQ(sets.size(), 1u);
  const auto& s = sets[0];
  const int replicas = s.node["spec"]["replicas"].as<int>(0);
  ASSERT_GE(replicas, 2);
  for (const auto& c : Containers(s)) {
    if (!IsGatewatch(c)) continue;
    int index_at = -1, shard_at = -1, i = 0;
    for (const auto& e : c["env"]) {
      const auto name = e["name"].as<std::string>();
      if (name == "POD_INDEX") {
        index_at = i;
        EXPECT_EQ(e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>(""),
                  "metadata.labels['apps.kubernetes.io/pod-index']");
      }
      if (name == "GATEWATCH_SHARD") {
        shard_at = i;
        // The count must be the StatefulSet's replicas, or targets go unprobed.
        EXPECT_EQ(e["value"].as<std::string>(""), "$(POD_INDEX)/" + std::to_string(replicas));
      }
      ++i;
    }
    ASSERT_GE(index_at, 0);
    // Kubernetes expands $(VAR) only from variables defined earlier in the list.
    EXPECT_GT(shard_at, index_at);
  }
  // A service per shard for scraping: the StatefulSet's serviceName is headless.
  for (const auto& svc : OfKind("Service")) {
    if (svc.name() == s.node["spec"]["serviceName"].as<std::string>()) {
      EXPECT_EQ(svc.node["spec"]["clusterIP"].as<std::string>(""), "None");
    }
  }
}

TEST(KubernetesManifests, StandaloneAgentNeverRunsTwice) {
  for (const auto& d : OfKind("Deployment")) {
    for (const auto& c : Containers(d)) {
      if (!IsGatewatch(c) || Containers(d).size() > 1) continue;  // sidecars scale with the app
      EXPECT_EQ(d.node["spec"]["replicas"].as<int>(0), 1) << d.Where();
      EXPECT_EQ(d.node["spec"]["strategy"]["type"].as<std::string>(""), "Recreate") << d.Where();
    }
  }
}

TEST(KubernetesManifests, MonitorsSelectServicesThatSelectGatewatchPods) {
  const auto services = OfKind("Service");
  std::vector<Object> workloads;
  for (const auto& o : AllObjects()) {
    if (IsWorkload(o)) workloads.push_back(o);
  }
  const auto monitors = OfKind("ServiceMonitor");
  ASSERT_GE(monitors.size(), 1u);
  for (const auto& m : monitors) {
    std::vector<Object> selected;
    for (const auto& s : services) {
      if (Selects(m.node["spec"]["selector"]["matchLabels"], s.node["metadata"]["labels"])) {
        selected.push_back(s);
      }
    }
    ASSERT_EQ(selected.size(), 1u) << m.Where() << " selects " << selected.size() << " Services";
    const auto& svc = selected[0];
    std::set<std::string> service_ports;
    for (const auto& p : svc.node["spec"]["ports"]) {
      service_ports.insert(p["name"].as<std::string>(""));
    }
    for (const auto& ep : m.node["spec"]["endpoints"]) {
      EXPECT_TRUE(service_ports.contains(ep["port"].as<std::string>(""))) << m.Where();
      EXPECT_EQ(ep["path"].as<std::string>("/metrics"), "/metrics") << m.Where();
    }
    // ... and the Service reaches a gatewatch container's named port.
    bool reaches = false;
    for (const auto& w : workloads) {
      if (!Selects(svc.node["spec"]["selector"],
                   w.node["spec"]["template"]["metadata"]["labels"])) {
        continue;
      }
      for (const auto& c : Containers(w)) {
        for (const auto& p : c["ports"]) {
          for (const auto& sp : svc.node["spec"]["ports"]) {
            reaches = reaches || (IsGatewatch(c) && sp["targetPort"].as<std::string>("") ==
                                                        p["name"].as<std::string>(""));
          }
        }
      }
    }
    EXPECT_TRUE(reaches) << svc.Where() << " does not reach a gatewatch container port";
    EXPECT_EQ(svc.node["metadata"]["annotations"]["prometheus.io/scrape"].as<std::string>(""),
              "true")
        << svc.Where();
    EXPECT_EQ(svc.node["metadata"]["annotations"]["prometheus.io/port"].as<std::string>(""), "9502")
        << svc.Where();
  }
  for (const auto& pm : OfKind("PodMonitor")) {
    bool found = false;
    for (const auto& w : workloads) {
      if (!Selects(pm.node["spec"]["selector"]["matchLabels"],
                   w.node["spec"]["template"]["metadata"]["labels"])) {
        continue;
      }
      for (const auto& c : Containers(w)) {
        for (const auto& p : c["ports"]) {
          for (const auto& ep : pm.node["spec"]["podMetricsEndpoints"]) {
            found = found || (IsGatewatch(c) &&
                              ep["port"].as<std::string>("") == p["name"].as<std::string>(""));
          }
        }
      }
    }
    EXPECT_TRUE(found) << pm.Where() << " does not reach a gatewatch container port";
  }
}

TEST(KubernetesManifests, SidecarProbesTheAppOnLocalhostAndThroughItsServiceAndIngress) {
  const auto configs = EmbeddedGatewatchConfigs();
  const auto sidecar = std::find_if(configs.begin(), configs.end(),
                                    [](const auto& c) { return c.file.ends_with("sidecar.yaml"); });
  ASSERT_NE(sidecar, configs.end());
  std::string app_port, service_name, ingress_host;
  for (const auto& o : AllObjects()) {
    if (!o.file.ends_with("sidecar.yaml")) continue;
    if (o.kind() == "Service") service_name = o.name();
    if (o.kind() == "Ingress") ingress_host = o.node["spec"]["rules"][0]["host"].as<std::string>();
    if (o.kind() == "Deployment") {
      for (const auto& c : Containers(o)) {
        if (!IsGatewatch(c)) app_port = c["ports"][0]["containerPort"].as<std::string>();
      }
    }
  }
  ASSERT_FALSE(app_port.empty());
  EXPECT_NE(sidecar->toml.find("\"http://127.0.0.1:" + app_port + "/"), std::string::npos);
  EXPECT_NE(sidecar->toml.find("\"http://" + service_name + "/"), std::string::npos);
  EXPECT_NE(sidecar->toml.find("\"https://" + ingress_host + "/"), std::string::npos);
}

}  // namespace
}  // namespace gatewatch::testing
