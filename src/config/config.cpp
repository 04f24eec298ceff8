#include "config/config.h"

#include <algorithm>

namespace gatewatch::config {

bool TargetSpec::SameProbe(const TargetSpec& o) const {
  const auto pattern_text = [](const std::optional<core::Pattern>& p) {
    return p ? p->expression() : std::string("\x01none");
  };
  return name == o.name && url == o.url && upstream == o.upstream && method == o.method &&
         headers == o.headers && body == o.body && interval == o.interval &&
         timeout == o.timeout && unhealthy_interval == o.unhealthy_interval &&
         expect_status == o.expect_status &&
         pattern_text(expect_body) == pattern_text(o.expect_body) && health == o.health &&
         follow_redirects == o.follow_redirects && tls_insecure == o.tls_insecure &&
         max_body_bytes == o.max_body_bytes && connection == o.connection &&
         resolve_all == o.resolve_all && confirm == o.confirm && labels == o.labels;
}

std::string_view SignalName(AlertSignal signal) {
  switch (signal) {
    case AlertSignal::k502Ratio:
      return "502_ratio";
    case AlertSignal::k5xxRatio:
      return "5xx_ratio";
    case AlertSignal::kFailureRatio:
      return "failure_ratio";
    case AlertSignal::kLatencyP50:
      return "latency_p50";
    case AlertSignal::kLatencyP90:
      return "latency_p90";
    case AlertSignal::kLatencyP99:
      return "latency_p99";
    case AlertSignal::kConsecutiveFailures:
      return "consecutive_failures";
    case AlertSignal::kBurnRate:
      return "burn_rate";
  }
  return "";
}

std::string_view NotifierTypeName(NotifierType type) {
  switch (type) {
    case NotifierType::kWebhook:
      return "webhook";
    case NotifierType::kSlack:
      return "slack";
    case NotifierType::kDiscord:
      return "discord";
    case NotifierType::kTeams:
      return "teams";
    case NotifierType::kMattermost:
      return "mattermost";
    case NotifierType::kGoogleChat:
      return "googlechat";
    case NotifierType::kAlertmanager:
      return "alertmanager";
  }
  return "";
}

bool GlobMatches(std::string_view glob, std::string_view name) {
  // Greedy scan that backtracks only to the last `*`: O(glob * name) at worst, never
  // exponential, whatever the number of stars.
  std::size_t g = 0;
  std::size_t n = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_n = 0;
  while (n < name.size()) {
    // `*` first: it is a wildcard even where the name has a literal '*' at that point.
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      star_n = n;
    } else if (g < glob.size() && (glob[g] == '?' || glob[g] == name[n])) {
      ++g;
      ++n;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      n = ++star_n;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

bool TargetMatches(const AlertRule& rule, std::string_view target_name) {
  if (rule.targets.empty()) return true;
  for (const std::string& glob : rule.targets) {
    if (GlobMatches(glob, target_name)) return true;
  }
  return false;
}

std::vector<Millis> RequiredWindows(const Config& config) {
  std::vector<Millis> spans = config.agent.windows;
  for (const AlertRule& rule : config.alerts) {
    if (rule.burn_rate) {
      spans.push_back(rule.burn_rate->long_window);
      spans.push_back(rule.burn_rate->short_window);
    } else if (rule.signal != AlertSignal::kConsecutiveFailures) {
      spans.push_back(rule.window);
    }
  }
  std::sort(spans.begin(), spans.end());
  spans.erase(std::unique(spans.begin(), spans.end()), spans.end());
  return spans;
}

}  // namespace gatewatch::config
