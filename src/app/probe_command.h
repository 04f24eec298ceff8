#pragma once
#include <string>
#include <vector>

namespace gatewatch::app {

// `gatewatch probe URL [--upstream URL] [--timeout D] [--header 'K: V']... [--json]`: one
// probe now, printed like httpstat: a timing waterfall (dns, connect, tls, ttfb, transfer),
// the status, who answered, and the diagnosis; with --upstream, the backend is probed in the
// same round and the two are correlated (diagnose/verdict.h). Returns 0 when the probe
// passed, 1 when it failed, 2 on bad usage.
int RunProbeCommand(const std::vector<std::string>& args);

}  // namespace gatewatch::app
