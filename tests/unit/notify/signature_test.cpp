// HMAC-SHA256 for X-Gatewatch-Signature, against the RFC 4231 test vectors.
#include "notify/signature.h"

#include <gtest/gtest.h>

#include <string>

namespace gatewatch::notify {
namespace {

TEST(SignatureTest, Rfc4231Vectors) {
  struct Case {
    std::string key, data, hex;
  };
  const Case cases[] = {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(HmacSha256Hex(c.key, c.data), c.hex) << c.data;
  }
}

TEST(SignatureTest, HeaderValueIsPrefixedHex) {
  EXPECT_EQ(SignatureHeaderValue("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SignatureTest, EmptyKeyAndBodyStillSign) {
  // HMAC-SHA256("", "") per any reference implementation.
  EXPECT_EQ(HmacSha256Hex("", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_NE(HmacSha256Hex("k", "body"), HmacSha256Hex("k", "body "));
}

}  // namespace
}  // namespace gatewatch::notify
