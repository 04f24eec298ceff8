#include <curl/curl.h>

#include <cstdio>
#include <exception>

#include "app/cli.h"

// jemalloc's build-time options, read when it starts (MALLOC_CONF in the environment still
// overrides them; glibc builds ignore the symbol). Measured at 10,000 targets (README,
// Performance), each with the same CPU per probe:
//  - narenas:1, not four arenas per CPU: the agent has one busy thread (the probe loop) and a
//    few that allocate a little, and each extra arena kept its own partly used pages
//    (3 MB more resident at 500 probes/s);
//  - dirty_decay_ms:1000 (default 10 s), muzzy_decay_ms:0: at 10,000 probes/s the loop frees
//    ~10 MB a second, and pages freed in a burst went back to the kernel only after ten
//    seconds (7 MB more resident). 0 ms was measured too: it costs schedule lag.
extern "C" const char* malloc_conf;
const char* malloc_conf = "narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0";

int main(int argc, char** argv) {
  // Once per process, before any thread exists, as libcurl requires.
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::fprintf(stderr, "gatewatch: cannot initialise libcurl\n");
    return 1;
  }
  int code = 1;
  try {
    code = gatewatch::app::RunCli(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gatewatch: %s\n", e.what());
    code = 1;
  }
  curl_global_cleanup();
  return code;
}
