#include "diagnose/findings.h"

namespace gatewatch::diagnose {
namespace {

using probe::FailureReason;

bool NoAnswer(FailureReason reason) {
  switch (reason) {
    case FailureReason::kDns:
    case FailureReason::kRefused:
    case FailureReason::kConnectTimeout:
    case FailureReason::kTls:
    case FailureReason::kTimeout:
    case FailureReason::kReset:
    case FailureReason::kProtocol:
      return true;
    default:
      return false;
  }
}

int Severity(const probe::ProbeResult& r) {
  if (r.success()) return 0;
  if (NoAnswer(r.reason)) return 3;
  if (r.http_status >= 500 && r.http_status <= 599) return 2;
  return 1;
}

void Append(std::string& out, std::string_view part) {
  if (part.empty()) return;
  if (!out.empty()) out += "; ";
  out += part;
}

}  // namespace

bool WorthCheckingUpstream(const probe::ProbeResult& gateway) {
  if (gateway.success()) return false;
  if (gateway.http_status >= 500 && gateway.http_status <= 599) return true;
  return gateway.reason == FailureReason::kTimeout || gateway.reason == FailureReason::kReset ||
         gateway.reason == FailureReason::kProtocol;
}

UpstreamFinding UpstreamAlone(const probe::ProbeResult& upstream) {
  UpstreamFinding f;
  f.success = upstream.success();
  f.http_status = upstream.http_status;
  f.reason = upstream.reason;
  f.latency = upstream.latency;
  f.checked = upstream.wall_started;
  return f;
}

UpstreamFinding CorrelateFinding(const probe::ProbeResult& gateway,
                                 const probe::ProbeResult& upstream) {
  UpstreamFinding f = UpstreamAlone(upstream);
  UpstreamVerdict verdict = CorrelateUpstream(gateway, upstream);
  f.kind = verdict.kind;
  f.text = std::move(verdict.text);
  return f;
}

std::size_t WorstResult(std::span<const probe::ProbeResult> results) {
  std::size_t worst = 0;
  for (std::size_t i = 1; i < results.size(); ++i) {
    const int s = Severity(results[i]);
    const int w = Severity(results[worst]);
    if (s > w || (s == w && results[i].latency > results[worst].latency)) worst = i;
  }
  return worst;
}

BackendResult ToBackend(std::string address, const probe::ProbeResult& result) {
  return BackendResult{std::move(address), result.success(), result.http_status, result.reason,
                       result.latency};
}

std::string ShortFailure(FailureReason reason, int http_status) {
  if (reason == FailureReason::kStatus && http_status != 0) return std::to_string(http_status);
  return std::string(probe::ReasonName(reason));
}

std::string BackendsSentence(std::span<const BackendResult> backends) {
  std::size_t failing = 0;
  std::string list;
  for (const BackendResult& b : backends) {
    if (b.success) continue;
    ++failing;
    if (!list.empty()) list += ", ";
    list += b.address;
    list += ' ';
    list += ShortFailure(b.reason, b.http_status);
  }
  if (failing == 0) return {};
  return std::to_string(failing) + " of " + std::to_string(backends.size()) +
         (backends.size() == 1 ? " backend" : " backends") + " failing: " + list;
}

std::string ConfirmSentence(const ConfirmFinding& confirm) {
  if (confirm.probes <= 0) return {};
  if (confirm.reproduced == 0) {
    return "transient: " + std::to_string(confirm.probes) +
           (confirm.probes == 1 ? " confirm probe passed" : " confirm probes passed");
  }
  return std::string(confirm.reproduced == confirm.probes ? "persistent" : "intermittent") +
         ": reproduced " + std::to_string(confirm.reproduced) + " of " +
         std::to_string(confirm.probes);
}

std::string StreakSentence(std::uint64_t failed_in_a_row) {
  if (failed_in_a_row < 2) return {};
  return "persistent: failed " + std::to_string(failed_in_a_row) + " probes in a row";
}

std::string ComposeDiagnosis(std::string_view base, const Findings& findings) {
  std::string out = BackendsSentence(findings.backends);
  Append(out, base);
  if (findings.upstream && findings.upstream->kind != UpstreamCase::kNotApplicable) {
    Append(out, findings.upstream->text);
  }
  if (findings.confirm) {
    Append(out, ConfirmSentence(*findings.confirm));
  } else {
    Append(out, StreakSentence(findings.failed_in_a_row));
  }
  return out;
}

}  // namespace gatewatch::diagnose
