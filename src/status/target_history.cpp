#include "status/target_history.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gatewatch::status {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr int kLatencySteps = 254;  // codes 0..254; 255 is kEmpty
const double kLatencyRange = std::log(static_cast<double>(Sparkline::kMaxLatency.count()) /
                                      static_cast<double>(Sparkline::kMinLatency.count()));

constexpr std::int64_t kPointCount = Sparkline::kPoints;
constexpr std::uint32_t kNoResponder = 0;
constexpr unsigned kStatusShift = 10, kReasonShift = 20, kResponderShift = 24, kOriginShift = 29;

std::uint32_t Bits(std::uint32_t packed, unsigned shift, unsigned width) {
  return (packed >> shift) & ((1u << width) - 1);
}

std::uint16_t SaturatingAdd(std::uint16_t value) {
  return value == std::numeric_limits<std::uint16_t>::max() ? value
                                                            : static_cast<std::uint16_t>(value + 1);
}

}  // namespace

std::uint8_t Sparkline::EncodeRatio(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return 0;
  const double share = std::min(1.0, static_cast<double>(part) / static_cast<double>(whole));
  // Rounded up from any nonzero share, so one 502 among many never reads as none.
  const auto code = static_cast<std::uint8_t>(std::lround(share * 200));
  return part > 0 && code == 0 ? 1 : code;
}

std::uint8_t Sparkline::EncodeLatency(microseconds latency) {
  if (latency <= kMinLatency) return 0;
  if (latency >= kMaxLatency) return kLatencySteps;
  const double position =
      std::log(static_cast<double>(latency.count()) / static_cast<double>(kMinLatency.count())) /
      kLatencyRange;
  return static_cast<std::uint8_t>(std::lround(position * kLatencySteps));
}

std::optional<double> Sparkline::DecodeRatio(std::uint8_t code) {
  if (code == kEmpty) return std::nullopt;
  return std::min<double>(code, 200) / 200.0;
}

std::optional<double> Sparkline::DecodeLatencySeconds(std::uint8_t code) {
  if (code == kEmpty) return std::nullopt;
  const double position = static_cast<double>(code) / kLatencySteps;
  return static_cast<double>(kMinLatency.count()) * std::exp(position * kLatencyRange) / 1e6;
}

bool Sparkline::empty() const {
  return std::all_of(latency.begin(), latency.end(), [](std::uint8_t c) { return c == kEmpty; });
}

milliseconds SparklineWidthFor(const std::vector<milliseconds>& spans) {
  if (spans.empty()) return milliseconds(30'000);
  const auto shortest = *std::min_element(spans.begin(), spans.end());
  // Whole seconds, so the page can say "5s per point" rather than "3s333ms".
  const auto half = std::chrono::floor<std::chrono::seconds>(shortest / 2);
  return std::clamp<milliseconds>(half, milliseconds(1'000), milliseconds(3'600'000));
}

std::uint16_t RecentResults::EncodeTime(microseconds t) {
  const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(t.count(), 0));
  if (us < 4096) return static_cast<std::uint16_t>(us);
  // The exponent e keeps 12 significant bits: us >> e in [2048, 4095] for e >= 1.
  unsigned e = 1;
  while ((us >> e) >= 4096) ++e;
  if (e > 15) return kMaxTimeCode;
  const std::uint64_t code = (std::uint64_t{e} << 12) | (us >> e);
  return static_cast<std::uint16_t>(std::min<std::uint64_t>(code, kMaxTimeCode));
}

microseconds RecentResults::DecodeTime(std::uint16_t code) {
  const unsigned e = code >> 12;
  const std::uint64_t mantissa = code & 0xFFFu;
  if (e == 0) return microseconds(mantissa);
  // Codes with e >= 1 hold us >> e, so the mantissa carries its leading bit in bit 11;
  // the middle of the dropped range halves the worst-case error.
  const std::uint64_t low = mantissa << e;
  return microseconds(static_cast<std::int64_t>(low + (std::uint64_t{1} << (e - 1))));
}

void RecentResults::Add(const probe::ProbeResult& result, const diagnose::Fingerprint* hop) {
  Entry& e = ring_[next_];
  const std::int64_t ms = std::max<std::int64_t>(core::ToUnixMillis(result.wall_started), 0);
  e.unix_seconds = static_cast<std::uint32_t>(
      std::min<std::int64_t>(ms / 1000, std::numeric_limits<std::uint32_t>::max()));
  const auto status = static_cast<std::uint32_t>(std::clamp(result.http_status, 0, 999));
  const std::uint32_t responder =
      hop == nullptr ? kNoResponder : static_cast<std::uint32_t>(hop->responder) + 1;
  const std::uint32_t origin = hop == nullptr ? 0 : static_cast<std::uint32_t>(hop->origin);
  e.packed = static_cast<std::uint32_t>(ms % 1000) | status << kStatusShift |
             static_cast<std::uint32_t>(result.reason) << kReasonShift |
             responder << kResponderShift | origin << kOriginShift;
  const auto time = [](const std::optional<microseconds>& t) {
    return t ? EncodeTime(*t) : kNotMeasured;
  };
  e.times = {time(result.phases.dns),  time(result.phases.connect),  time(result.phases.tls),
             time(result.phases.ttfb), time(result.phases.transfer), EncodeTime(result.latency)};
  next_ = static_cast<std::uint8_t>((next_ + 1) % kCapacity);
  if (size_ < kCapacity) ++size_;
}

RecentResult RecentResults::operator[](std::size_t i) const {
  const Entry& e = ring_[(next_ + kCapacity - 1 - i) % kCapacity];
  RecentResult r;
  r.started = core::FromUnixMillis(std::int64_t{e.unix_seconds} * 1000 + Bits(e.packed, 0, 10));
  r.http_status = static_cast<int>(Bits(e.packed, kStatusShift, 10));
  r.reason = static_cast<probe::FailureReason>(Bits(e.packed, kReasonShift, 4));
  if (const auto responder = Bits(e.packed, kResponderShift, 5); responder != kNoResponder) {
    r.responder = static_cast<diagnose::Responder>(responder - 1);
    r.origin = static_cast<diagnose::Origin>(Bits(e.packed, kOriginShift, 2));
  }
  const auto time = [&](Timing which) -> std::optional<microseconds> {
    if (e.times[which] == kNotMeasured) return std::nullopt;
    return DecodeTime(e.times[which]);
  };
  r.phases.dns = time(kDns);
  r.phases.connect = time(kConnect);
  r.phases.tls = time(kTls);
  r.phases.ttfb = time(kTtfb);
  r.phases.transfer = time(kTransfer);
  r.latency = DecodeTime(e.times[kTotal]);
  r.phases.total = r.latency;
  return r;
}

TargetHistory::TargetHistory(milliseconds sparkline_width, core::Clock::Duration phase)
    : phase_ms_(static_cast<std::uint32_t>(
          std::chrono::duration_cast<milliseconds>(phase).count() & 0xffffffffu)) {
  SetSparklineWidth(sparkline_width);
}

std::int32_t TargetHistory::PointOf(core::Clock::TimePoint t) const {
  const std::int64_t point = (t.time_since_epoch() - milliseconds(phase_ms_ % width_ms_)) /
                             milliseconds(width_ms_);
  return static_cast<std::int32_t>(
      std::clamp<std::int64_t>(point, 0, std::numeric_limits<std::int32_t>::max()));
}

std::size_t TargetHistory::Slot(std::int32_t point) {
  return static_cast<std::size_t>(point) % Sparkline::kPoints;
}

void TargetHistory::Record(const probe::ProbeResult& result, const diagnose::Fingerprint* hop) {
  recent_.Add(result, hop);

  const std::int32_t point = PointOf(result.started);
  if (point > newest_) {
    // Points skipped over had no probe; a jump of a whole ring or more clears it all once.
    const std::int64_t first =
        std::max<std::int64_t>(std::int64_t{newest_} + 1, std::int64_t{point} - kPointCount);
    for (std::int64_t p = first; p < point; ++p) {
      ratio_502_[Slot(static_cast<std::int32_t>(p))] = Sparkline::kEmpty;
      latency_[Slot(static_cast<std::int32_t>(p))] = Sparkline::kEmpty;
    }
    newest_ = point;
    total_ = status_502_ = 0;
    slowest_us_ = 0;
  }
  total_ = SaturatingAdd(total_);
  if (result.http_status == 502) status_502_ = SaturatingAdd(status_502_);
  const auto us = std::clamp<std::int64_t>(result.latency.count(), 0,
                                           std::numeric_limits<std::uint32_t>::max());
  slowest_us_ = std::max(slowest_us_, static_cast<std::uint32_t>(us));
  ratio_502_[Slot(newest_)] = Sparkline::EncodeRatio(status_502_, total_);
  latency_[Slot(newest_)] = Sparkline::EncodeLatency(microseconds(slowest_us_));
}

Sparkline TargetHistory::SparklineAt(core::Clock::TimePoint now) const {
  Sparkline out;
  out.width = milliseconds(width_ms_);
  if (newest_ < 0) return out;
  const std::int64_t last = std::max(PointOf(now), newest_);
  for (std::int64_t i = 0; i < kPointCount; ++i) {
    const std::int64_t p = last - (kPointCount - 1) + i;
    if (p < 0 || p > newest_ || p <= newest_ - kPointCount) continue;
    out.ratio_502[static_cast<std::size_t>(i)] = ratio_502_[Slot(static_cast<std::int32_t>(p))];
    out.latency[static_cast<std::size_t>(i)] = latency_[Slot(static_cast<std::int32_t>(p))];
  }
  return out;
}

core::Clock::TimePoint TargetHistory::NextPointAt(core::Clock::TimePoint now) const {
  // PointOf clamps at 0, so before the first point this is the first point's end.
  return core::Clock::TimePoint(milliseconds(width_ms_) * (std::int64_t{PointOf(now)} + 1) +
                                milliseconds(phase_ms_ % width_ms_));
}

void TargetHistory::SetSparklineWidth(milliseconds width) {
  const auto ms = static_cast<std::uint32_t>(std::clamp<std::int64_t>(width.count(), 1, 3'600'000));
  if (ms == width_ms_) return;
  width_ms_ = ms;
  newest_ = -1;
  total_ = status_502_ = 0;
  slowest_us_ = 0;
}

}  // namespace gatewatch::status
