#include <cstdio>

#include "core/version.h"

int main() {
  std::printf("gatewatch %s\n", gatewatch::core::kVersion);
  return 0;
}
