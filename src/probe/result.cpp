#include "probe/result.h"

namespace gatewatch::probe {

std::string_view ReasonName(FailureReason reason) {
  switch (reason) {
    case FailureReason::kNone:
      return "";
    case FailureReason::kDns:
      return "dns";
    case FailureReason::kRefused:
      return "refused";
    case FailureReason::kConnectTimeout:
      return "connect_timeout";
    case FailureReason::kTls:
      return "tls";
    case FailureReason::kTimeout:
      return "timeout";
    case FailureReason::kReset:
      return "reset";
    case FailureReason::kProtocol:
      return "protocol";
    case FailureReason::kStatus:
      return "status";
    case FailureReason::kBody:
      return "body";
    case FailureReason::kHealth:
      return "health";
  }
  return "";
}

}  // namespace gatewatch::probe
