#include "notify/notifier.h"

#include <strings.h>

#include <algorithm>

#include "core/version.h"
#include "notify/payload_alertmanager.h"
#include "notify/payload_discord.h"
#include "notify/payload_googlechat.h"
#include "notify/payload_mattermost.h"
#include "notify/payload_slack.h"
#include "notify/payload_teams.h"
#include "notify/payload_webhook.h"
#include "notify/signature.h"

namespace gatewatch::notify {
namespace {

constexpr std::size_t kMaxResponseBytes = 4096;

}  // namespace

RenderContext ContextFor(const config::NotifierSpec& spec, std::string_view external_url,
                         core::Clock::WallTimePoint now,
                         std::chrono::milliseconds firing_validity) {
  RenderContext context;
  context.receiver = spec.name;
  context.external_url = external_url;
  if (spec.message_template) context.message_template = *spec.message_template;
  context.now = now;
  context.firing_validity = firing_validity;
  return context;
}

std::string RenderPayload(config::NotifierType type, const std::vector<alert::AlertEvent>& events,
                          const RenderContext& context) {
  switch (type) {
    case config::NotifierType::kWebhook:
      return RenderWebhookPayload(events, context);
    case config::NotifierType::kSlack:
      return RenderSlackPayload(events, context);
    case config::NotifierType::kDiscord:
      return RenderDiscordPayload(events, context);
    case config::NotifierType::kTeams:
      return RenderTeamsPayload(events, context);
    case config::NotifierType::kMattermost:
      return RenderMattermostPayload(events, context);
    case config::NotifierType::kGoogleChat:
      return RenderGoogleChatPayload(events, context);
    case config::NotifierType::kAlertmanager:
      return RenderAlertmanagerPayload(events, context);
  }
  return RenderWebhookPayload(events, context);
}

net::HttpRequest BuildDeliveryRequest(const config::NotifierSpec& spec, std::string body,
                                      std::string_view idempotency_key) {
  net::HttpRequest request;
  request.url = spec.type == config::NotifierType::kAlertmanager
                    ? AlertmanagerEndpoint(spec.url.Reveal())
                    : spec.url.Reveal();
  request.method = "POST";
  request.timeout = spec.timeout;
  request.follow_redirects = false;
  request.max_body_bytes = kMaxResponseBytes;
  request.fresh_connection = false;

  auto& headers = request.headers;
  headers.reserve(5 + spec.headers.size());
  headers.emplace_back("Content-Type", "application/json");
  headers.emplace_back("User-Agent", std::string("gatewatch/") + core::kVersion);
  headers.emplace_back("Idempotency-Key", std::string(idempotency_key));
  if (spec.type == config::NotifierType::kWebhook && !spec.secret.empty()) {
    headers.emplace_back(std::string(kSignatureHeader),
                         SignatureHeaderValue(spec.secret.Reveal(), body));
  }
  if (spec.type == config::NotifierType::kWebhook) {
    for (const config::Header& h : spec.headers) {
      std::erase_if(headers, [&h](const auto& existing) {
        return strcasecmp(existing.first.c_str(), h.name.c_str()) == 0;
      });
      headers.emplace_back(h.name, h.value.Reveal());
    }
  }
  request.body = std::move(body);
  return request;
}

}  // namespace gatewatch::notify
