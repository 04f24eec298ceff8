#include <curl/curl.h>

#include <cstdio>
#include <exception>

#include "app/cli.h"

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
