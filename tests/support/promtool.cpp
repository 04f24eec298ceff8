#include "support/promtool.h"

#include <unistd.h>

#include <chrono>

#include "support/child_process.h"

namespace gatewatch::testing {

bool PromtoolAvailable() { return access(kPromtool, X_OK) == 0; }

PromtoolResult CheckMetrics(const std::string& exposition) {
  TempDir dir;
  const std::string path = dir.Write("metrics.prom", exposition);
  // ChildProcess gives children /dev/null as stdin, so the shell redirects the file in.
  const RunResult run =
      RunCommand("/bin/sh", {"-c", std::string(kPromtool) + " check metrics < '" + path + "'"},
                 std::chrono::seconds(30));
  return {run.exit_code, run.output};
}

}  // namespace gatewatch::testing
