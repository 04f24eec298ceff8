// diagnose::IdentifyResponder on an HTTP answer written as `curl -i` shows it (see
// fuzz_support.h): the origin always follows the responder, and the evidence stays one short
// printable ASCII line whatever bytes the peer sent.
#include <cstdint>
#include <string>

#include "diagnose/responder.h"
#include "fuzz_support.h"

namespace {

using gatewatch::diagnose::Fingerprint;
using gatewatch::diagnose::IdentifyResponder;
using gatewatch::fuzz::Check;

void CheckFingerprint(const Fingerprint& f) {
  Check(f.origin == gatewatch::diagnose::OriginOf(f.responder), "origin matches responder");
  Check(!gatewatch::diagnose::ResponderName(f.responder).empty(), "responder has a label");
  Check(!f.evidence.empty(), "evidence is never empty");
  // Header values are cut to 64 bytes and at most two of them appear, so about 200 bytes.
  Check(f.evidence.size() <= 256, "evidence is one short line");
  for (const char c : f.evidence) {
    const auto byte = static_cast<unsigned char>(c);
    Check(byte >= 0x20 && byte < 0x7f, "evidence is printable ASCII");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const gatewatch::fuzz::HttpText answer =
      gatewatch::fuzz::ParseHttpText(gatewatch::fuzz::AsText(data, size));
  const Fingerprint f = IdentifyResponder(answer.status, answer.headers, answer.body);
  CheckFingerprint(f);

  // Only the first kBodyExcerptBytes count: a longer body must give the same answer.
  const std::string_view excerpt = answer.body.substr(0, gatewatch::probe::kBodyExcerptBytes);
  const Fingerprint g = IdentifyResponder(answer.status, answer.headers, excerpt);
  Check(g.responder == f.responder && g.evidence == f.evidence,
        "only the first kBodyExcerptBytes of the body matter");
  return 0;
}
