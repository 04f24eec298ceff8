// notify::ExpandTemplate and every payload renderer that uses a notifier `template`.
// Input: NUL-separated parts "template\0diagnosis\0target\0rule\0value_text"; missing parts
// keep realistic defaults, so a plain template file is a useful seed by itself.
//
// Oracles: a template without "{{" comes back unchanged; a template the loader accepts
// (config::CheckTemplate) leaves no "{{" behind when the values carry no braces; the chat
// escapers leave no raw markup from the values; TruncateText keeps its character budget;
// every rendered payload is valid JSON whatever bytes the diagnosis holds.
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alert/event.h"
#include "config/values.h"
#include "fuzz_support.h"
#include "notify/payload_alertmanager.h"
#include "notify/payload_common.h"
#include "notify/payload_discord.h"
#include "notify/payload_googlechat.h"
#include "notify/payload_mattermost.h"
#include "notify/payload_slack.h"
#include "notify/payload_teams.h"
#include "notify/payload_webhook.h"

namespace {

using gatewatch::fuzz::Check;
namespace notify = gatewatch::notify;

bool HasBrace(std::string_view s) { return s.find_first_of("{}") != std::string_view::npos; }

gatewatch::alert::AlertEvent MakeEvent(const std::vector<std::string_view>& parts,
                                       std::size_t size) {
  gatewatch::alert::AlertEvent event;
  event.rule = parts.size() > 3 ? std::string(parts[3]) : "gateway-502";
  event.target = parts.size() > 2 ? std::string(parts[2]) : "checkout";
  event.severity = "critical";
  const bool resolved = size % 3 == 0;
  event.kind =
      resolved ? gatewatch::alert::EventKind::kResolved : gatewatch::alert::EventKind::kFired;
  event.status =
      resolved ? gatewatch::alert::AlertStatus::kResolved : gatewatch::alert::AlertStatus::kFiring;
  event.signal = "502_ratio";
  event.value = 0.42;
  event.threshold = 0.05;
  event.value_text = parts.size() > 4 ? std::string(parts[4]) : "0.42";
  event.threshold_text = "0.05";
  event.window = "5m";
  event.started_at = gatewatch::core::Clock::WallTimePoint(std::chrono::seconds(1'714'564'800));
  if (resolved) event.ended_at = event.started_at + std::chrono::minutes(7);
  event.fingerprint = gatewatch::alert::Fingerprint(event.rule, event.target);
  event.sequence = 3;
  event.labels = {{"alertname", event.rule}, {"target", event.target}, {"severity", "critical"}};
  event.summary = "502 ratio 0.42 above 0.05 over 5m on " + event.target;
  event.description = "502_ratio above 0.05 over 5m";
  event.diagnosis = parts.size() > 1 ? std::string(parts[1])
                                     : "status 502 from nginx (server: nginx/1.22.1 + nginx "
                                       "error page)";
  event.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  return event;
}

void CheckTruncate(const std::string& text) {
  const std::size_t total = notify::CountChars(text);
  for (const std::size_t max : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{7},
                                std::size_t{100}, std::size_t{2000}}) {
    const std::string cut = notify::TruncateText(text, max);
    Check(notify::CountChars(cut) <= max, "TruncateText keeps its character budget");
    if (total <= max) Check(cut == text, "TruncateText leaves short text alone");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string_view> parts =
      gatewatch::fuzz::SplitAtNul(gatewatch::fuzz::AsText(data, size), 5);
  const std::string_view tmpl = parts[0];
  const gatewatch::alert::AlertEvent event = MakeEvent(parts, size);

  const std::string plain = notify::ExpandTemplate(tmpl, event, notify::PlainText);
  if (tmpl.find("{{") == std::string_view::npos) {
    Check(plain == tmpl, "a template without placeholders is copied as is");
  }
  const bool values_clean = !HasBrace(event.rule) && !HasBrace(event.target) &&
                            !HasBrace(event.value_text) && !HasBrace(event.diagnosis);
  if (values_clean && !gatewatch::config::CheckTemplate(tmpl)) {
    Check(plain.find("{{") == std::string::npos, "an accepted template expands completely");
  }
  CheckTruncate(plain);

  // The values are escaped, the template's own text is not: with a markup-free template no
  // raw markup may come out.
  if (tmpl.find_first_of("<>&") == std::string_view::npos) {
    const std::string slack = notify::ExpandTemplate(tmpl, event, notify::EscapeSlack);
    Check(slack.find_first_of("<>") == std::string::npos, "EscapeSlack leaves no < or >");
  }

  notify::RenderContext context;
  context.receiver = "fuzz";
  context.external_url = "http://127.0.0.1:9502/";
  context.message_template = tmpl;
  context.now = event.started_at + std::chrono::minutes(1);
  context.firing_validity = std::chrono::minutes(15);
  const std::vector<gatewatch::alert::AlertEvent> events{event};
  // One provider per input (rendering all seven made each run 5x slower for no more edges).
  using Renderer = std::string (*)(const std::vector<gatewatch::alert::AlertEvent>&,
                                   const notify::RenderContext&);
  constexpr Renderer kRenderers[] = {
      notify::RenderSlackPayload,       notify::RenderMattermostPayload,
      notify::RenderDiscordPayload,     notify::RenderTeamsPayload,
      notify::RenderGoogleChatPayload,  notify::RenderWebhookPayload,
      notify::RenderAlertmanagerPayload};
  const std::string payload = kRenderers[size % std::size(kRenderers)](events, context);
  Check(nlohmann::json::accept(payload), "every payload is valid JSON");
  return 0;
}
