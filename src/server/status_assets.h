#pragma once
#include <string>
#include <string_view>

// The status page's stylesheet and script, compiled into the binary and served by the agent
// itself (no CDN, no external fonts, no build step), so the page works offline and in an
// air-gapped cluster. Pages link them by a URL carrying a hash of their content
// ("/assets/status.js?v=1a2b3c4d"), so browsers may cache them for good: a new build with
// different assets gets a new URL.
//
// The script (plain ES5-level JavaScript, no framework) refreshes a page from the JSON API
// every 10 s, rendering the same markup as the server. It places data only with textContent
// and setAttribute, never as HTML, so names, URLs and diagnosis text cannot inject markup.
// It records `performance.measure("gatewatch-refresh")` for each refresh it renders.
namespace gatewatch::server {

inline constexpr std::string_view kStatusCssPath = "/assets/status.css";
inline constexpr std::string_view kStatusJsPath = "/assets/status.js";

std::string_view StatusCss();
std::string_view StatusJs();
// kStatusCssPath / kStatusJsPath plus "?v=<8 hex digits of the content's FNV-1a hash>".
const std::string& StatusCssUrl();
const std::string& StatusJsUrl();

}  // namespace gatewatch::server
