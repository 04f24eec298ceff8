#include "config/config.h"

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

}  // namespace gatewatch::config
