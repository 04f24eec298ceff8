#pragma once
#include <string>
#include <string_view>

// Request signing for the `webhook` notifier's `secret` (OpenSSL; the only OpenSSL user).
// Pure functions; safe from any thread.
namespace gatewatch::notify {

// The header a signed webhook delivery carries.
inline constexpr std::string_view kSignatureHeader = "X-Gatewatch-Signature";

// HMAC-SHA256 of `data` under `key` (RFC 2104), as 64 lowercase hex digits.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// The X-Gatewatch-Signature value for `body`: "sha256=" + HmacSha256Hex(secret, body).
// A receiver verifies it by computing the same over the raw request body it received.
std::string SignatureHeaderValue(std::string_view secret, std::string_view body);

}  // namespace gatewatch::notify
