#pragma once

namespace gatewatch::app {

// The gatewatch command line (see SPEC.md "Command line"): parses argv, runs the chosen
// subcommand and returns the process exit code (0 ok, 1 runtime failure, 2 usage/config).
// Expects curl_global_init to have run (main does it).
int RunCli(int argc, char** argv);

}  // namespace gatewatch::app
