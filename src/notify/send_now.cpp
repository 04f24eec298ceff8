#include "notify/send_now.h"

#include <algorithm>
#include <optional>

#include "alert/event.h"
#include "net/curl_multi.h"
#include "notify/backoff.h"
#include "notify/notifier.h"

namespace gatewatch::notify {
namespace {

constexpr std::chrono::minutes kTestAlertLifetime{5};
constexpr std::size_t kDetailBytes = 200;

std::string Printable(std::string_view text) {
  std::string out;
  const std::size_t n = std::min(text.size(), kDetailBytes);
  out.reserve(n + 3);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out.push_back(c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c));
  }
  if (text.size() > n) out += "...";
  return out;
}

}  // namespace

TestResult SendTestNotification(const config::NotifierSpec& spec,
                                const std::map<std::string, std::string>& agent_labels,
                                std::string_view external_url, core::Clock::WallTimePoint wall_now,
                                std::chrono::milliseconds limit) {
  const alert::AlertEvent event = alert::MakeTestEvent(spec.name, wall_now, agent_labels);
  const RenderContext context = ContextFor(spec, external_url, wall_now, kTestAlertLifetime);
  net::HttpRequest request = BuildDeliveryRequest(spec, RenderPayload(spec.type, {event}, context),
                                                  alert::IdempotencyKey(event));
  request.timeout = std::max(std::chrono::milliseconds(1), std::min(request.timeout, limit));

  net::CurlMulti multi;
  std::optional<net::HttpResponse> response;
  multi.Start(request, [&response](net::HttpResponse&& r) { response = std::move(r); });
  // curl ends the transfer at request.timeout at the latest, so this loop ends too; the
  // bound is a backstop against a transport that never reports.
  const auto max_polls = static_cast<std::int64_t>(request.timeout.count()) * 10 + 1000;
  for (std::int64_t i = 0; !response && i < max_polls; ++i) {
    multi.Poll(std::chrono::milliseconds(100));
  }
  TestResult result;
  if (!response) {
    result.detail = "no answer";
    return result;
  }
  result.ok = Judge(*response) == Verdict::kDelivered;
  result.http_status = response->http_status;
  result.detail = response->error == net::TransportError::kNone ? Printable(response->body)
                                                                : DescribeFailure(*response);
  return result;
}

}  // namespace gatewatch::notify
