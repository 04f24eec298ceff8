#pragma once
#include <string>
#include <string_view>

#include "server/targets_json.h"
#include "status/snapshot.h"

// The HTML status page (GET /): one self-contained document, no external assets, reloading
// itself every 10 s. A table of targets: name and labels, up/down/pending as text and
// colour, last HTTP status, failure reason and detail, and per window the 502 ratio and p99.
// Every string from config or the network is HTML-escaped. Pure; safe from any thread.
namespace gatewatch::server {

// & < > " ' as entities; everything else unchanged.
std::string HtmlEscape(std::string_view text);

// Streams the page to `sink` a block of rows at a time. Returns false if the sink stopped it.
bool RenderStatusPage(const status::StatusSnapshot& snapshot, const Sink& sink);

}  // namespace gatewatch::server
