#include "net/address_resolver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "support/wait.h"

namespace gatewatch::net {
namespace {

using std::chrono::seconds;

TEST(UrlHost, TakesTheHostOutOfAnHttpUrl) {
  EXPECT_EQ(UrlHost("http://api.example.com:8080/health?x=1"), "api.example.com");
  EXPECT_EQ(UrlHost("https://user:pass@10.0.0.7/"), "10.0.0.7");
  EXPECT_EQ(UrlHost("http://[::1]:9502/healthz"), "::1");
  EXPECT_EQ(UrlHost("HTTP://LocalHost/"), "LocalHost");
  EXPECT_EQ(UrlHost("not a url"), "");
}

TEST(FixedAddresses, IpLiteralsAndLocalhostNeedNoLookup) {
  EXPECT_EQ(FixedAddresses("10.0.0.7"), std::vector<std::string>{"10.0.0.7"});
  EXPECT_EQ(FixedAddresses("::1"), std::vector<std::string>{"::1"});
  for (const char* name : {"localhost", "LOCALHOST", "localhost.", "api.localhost"}) {
    const auto addresses = FixedAddresses(name);
    ASSERT_TRUE(addresses.has_value()) << name;
    ASSERT_FALSE(addresses->empty()) << name;
    EXPECT_EQ(addresses->front(), "127.0.0.1") << name;
    // ::1 joins only where IPv6 sockets work, and is then the only other address.
    ASSERT_LE(addresses->size(), 2u) << name;
    if (addresses->size() == 2) {
      EXPECT_EQ(addresses->back(), "::1") << name;
    }
  }
  EXPECT_EQ(FixedAddresses("example.com"), std::nullopt);
  EXPECT_EQ(FixedAddresses("notlocalhost"), std::nullopt);
  EXPECT_EQ(FixedAddresses("localhost.example.com"), std::nullopt);
}

TEST(AddressResolver, LooksUpOnItsOwnThreadAndCachesTheAnswer) {
  AddressResolver resolver;
  std::vector<std::string> out{"stale"};
  EXPECT_EQ(resolver.Latest("localhost", out), AddressResolver::Status::kUnknown);
  EXPECT_TRUE(out.empty());

  // localhost comes from /etc/hosts and *.invalid never resolves (RFC 6761): no network.
  ASSERT_TRUE(resolver.Refresh("localhost"));
  ASSERT_TRUE(resolver.Refresh("gatewatch-test.invalid"));
  EXPECT_TRUE(resolver.Refresh("localhost"));  // already queued: not queued twice
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        std::vector<std::string> scratch;
        return resolver.Latest("localhost", scratch) != AddressResolver::Status::kUnknown &&
               resolver.Latest("gatewatch-test.invalid", scratch) !=
                   AddressResolver::Status::kUnknown;
      },
      seconds(10)));
  ASSERT_EQ(resolver.Latest("localhost", out), AddressResolver::Status::kResolved);
  EXPECT_NE(std::find(out.begin(), out.end(), "127.0.0.1"), out.end());
  EXPECT_LE(out.size(), kMaxAddresses);
  EXPECT_EQ(resolver.Latest("gatewatch-test.invalid", out), AddressResolver::Status::kFailed);
  EXPECT_TRUE(out.empty());

  // A refresh keeps serving the previous answer until the new one arrives.
  ASSERT_TRUE(resolver.Refresh("localhost"));
  EXPECT_NE(resolver.Latest("localhost", out), AddressResolver::Status::kUnknown);
}

}  // namespace
}  // namespace gatewatch::net
