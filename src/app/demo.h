#pragma once
#include <string>
#include <vector>

namespace gatewatch::app {

// `gatewatch demo [--speed N] [--duration D] [--listen HOST:PORT]`: the agent watching a
// built-in gateway and backend on loopback (server/demo_peers.h), with no config and no
// network. Timeline at speed 1: the backend crashes at 10 s, so the gateway answers real
// 502s and the `gateway-502` alert fires (to a console notifier) within about 10 s; the
// backend heals at 30 s and the alert resolves within about 30 s more. A live view is
// printed every 2 s. Runs until Ctrl-C, or for --duration. --speed N runs everything
// (intervals, windows, timeline) N times faster (1..8), for tests.
// Returns the process exit code.
int RunDemo(const std::vector<std::string>& args);

}  // namespace gatewatch::app
