#pragma once
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/clock.h"
#include "diagnose/responder.h"
#include "net/http_request.h"
#include "probe/result.h"

// What the status page shows beyond the latest result: a sparkline of the recent trend per
// target (on the main page, for every target) and the last few results with their timings
// (on one target's detail view).
//
// Why two shapes, and where each lives (the budget: the agent stays under 64 MB at 10,000
// targets, and the snapshot is copied twice a second per target):
//  - The Sparkline is small enough to publish: 72 bytes inline, no heap, in every
//    TargetStatus. The main page needs it for all targets at once, and a server thread must
//    never wait for the probe loop to render the page.
//  - RecentResults (18 results, 364 bytes) is kept only in the loop's per-target state and
//    copied out on request (the detail view asks the loop for one target, App answers
//    between iterations). Publishing it would add 3.6 MB to every snapshot at 10,000
//    targets for a view that looks at one target at a time.
// TargetHistory, the loop's recorder of both, is 444 bytes per target, with no heap; with
// the Sparkline field that the loop's own TargetStatus copy also carries, 516 bytes.
namespace gatewatch::status {

// One target's recent trend: kPoints points of equal `width`, oldest first; the last point
// is the one containing the time the snapshot was taken (so it is usually partial). Each
// point holds the share of its probes answered with HTTP 502 and the latency of its slowest
// probe, each quantized to one byte (kEmpty: no probe finished in that point).
// Points are aligned to the steady clock plus the target's phase (index = (steady time -
// phase) / width), like the target's windows.
// A value type; copies are safe to hand to other threads.
struct Sparkline {
  static constexpr std::size_t kPoints = 30;
  static constexpr std::uint8_t kEmpty = 255;

  // Latency codes cover [kMinLatency, kMaxLatency] on a log scale in 254 steps of 5.7%;
  // faster probes show as kMinLatency, slower ones as kMaxLatency.
  static constexpr std::chrono::microseconds kMinLatency{100};
  static constexpr std::chrono::microseconds kMaxLatency{120'000'000};

  // 502 share: 0..200 (steps of 0.5%).
  static std::uint8_t EncodeRatio(std::uint64_t part, std::uint64_t whole);
  // 0..254 on the log scale above.
  static std::uint8_t EncodeLatency(std::chrono::microseconds latency);
  // 0..1; nullopt for kEmpty.
  static std::optional<double> DecodeRatio(std::uint8_t code);
  // Seconds; nullopt for kEmpty.
  static std::optional<double> DecodeLatencySeconds(std::uint8_t code);

  bool empty() const;  // no point holds a probe

  std::chrono::milliseconds width{0};  // time per point
  std::array<std::uint8_t, kPoints> ratio_502 = Filled();
  std::array<std::uint8_t, kPoints> latency = Filled();

 private:
  static constexpr std::array<std::uint8_t, kPoints> Filled() {
    std::array<std::uint8_t, kPoints> points{};
    points.fill(kEmpty);
    return points;
  }
};

// The point width for a target whose windows have these spans: half the shortest span in
// whole seconds, between 1 s and 1 h (30 s for the default 1m/5m/1h, so the sparkline covers the
// last 15 minutes); 30 s when there are no spans.
std::chrono::milliseconds SparklineWidthFor(const std::vector<std::chrono::milliseconds>& spans);

// One probe as RecentResults keeps it. Timings are stored to within 0.05% and saturate at
// 134 s; the start time to the millisecond.
struct RecentResult {
  bool success() const { return reason == probe::FailureReason::kNone; }

  core::Clock::WallTimePoint started{};
  probe::FailureReason reason = probe::FailureReason::kNone;
  int http_status = 0;  // 0 when no response arrived; at most 999
  // Who produced a 5xx answer (diagnose::IdentifyResponder); nullopt for other results.
  std::optional<diagnose::Responder> responder;
  diagnose::Origin origin = diagnose::Origin::kUnknown;  // with responder
  std::chrono::microseconds latency{0};                  // whole probe
  net::PhaseTimings phases;  // dns, connect, tls, ttfb, transfer as measured; total = latency
};

// The last kCapacity results of one target, in a fixed ring of 20-byte entries: 364 bytes,
// no heap, whatever the probe rate. Not thread-safe (owned by the probe loop); copies may be
// handed to other threads.
class RecentResults {
 public:
  static constexpr std::size_t kCapacity = 18;

  // Keeps `result` (the oldest one goes once the ring is full). `hop`: who answered a 5xx,
  // or null.
  void Add(const probe::ProbeResult& result, const diagnose::Fingerprint* hop);
  std::size_t size() const { return size_; }
  // i = 0 is the newest; i < size().
  RecentResult operator[](std::size_t i) const;

  // 16-bit time code: exact below 4,096 µs, then 12 significant bits (0.05%); saturates at
  // kMaxTimeCode (134 s). kNotMeasured marks a phase that was never reached.
  static constexpr std::uint16_t kNotMeasured = 0xFFFF;
  static constexpr std::uint16_t kMaxTimeCode = 0xFFFE;
  static std::uint16_t EncodeTime(std::chrono::microseconds t);
  static std::chrono::microseconds DecodeTime(std::uint16_t code);

 private:
  enum Timing { kDns, kConnect, kTls, kTtfb, kTransfer, kTotal, kTimings };
  struct Entry {
    std::uint32_t unix_seconds = 0;
    // bits 0-9 milliseconds, 10-19 http status, 20-23 reason, 24-28 responder + 1 (0 =
    // none), 29-30 origin.
    std::uint32_t packed = 0;
    std::array<std::uint16_t, kTimings> times{};
  };
  static_assert(sizeof(Entry) == 20);

  std::array<Entry, kCapacity> ring_{};
  std::uint8_t next_ = 0;  // slot the next Add writes
  std::uint8_t size_ = 0;
};

// The probe loop's recorder for one target: its RecentResults and the sparkline series
// being built. 444 bytes, no heap. Not thread-safe: owned by the probe loop.
class TargetHistory {
 public:
  // phase: where points start, as for window::TargetWindows (only phase mod width counts).
  explicit TargetHistory(std::chrono::milliseconds sparkline_width,
                         core::Clock::Duration phase = core::Clock::Duration::zero());

  // Files `result` (by its steady `started` time; one that started in a point already
  // closed counts in the newest point). `hop`: who answered a 5xx, or null.
  void Record(const probe::ProbeResult& result, const diagnose::Fingerprint* hop);
  // The series as of steady time `now`: the last point is the one containing `now`.
  Sparkline SparklineAt(core::Clock::TimePoint now) const;
  // A new point width (after a reload changed the windows): the series starts over, the
  // recent results stay. No-op when unchanged.
  void SetSparklineWidth(std::chrono::milliseconds width);

  const RecentResults& recent() const { return recent_; }
  std::chrono::milliseconds sparkline_width() const { return std::chrono::milliseconds(width_ms_); }
  // When the point holding `now` ends: until then SparklineAt(now) changes only by Record.
  core::Clock::TimePoint NextPointAt(core::Clock::TimePoint now) const;

 private:
  std::int32_t PointOf(core::Clock::TimePoint t) const;
  static std::size_t Slot(std::int32_t point);

  RecentResults recent_;
  std::uint32_t width_ms_ = 0;  // 1 ms .. 1 h
  std::uint32_t phase_ms_ = 0;  // the phase in whole ms, below 2^32 (about 49 days)
  std::int32_t newest_ = -1;    // point index of the newest point recorded; -1: none
  // The newest point's counts (saturating), re-encoded into its slot on every Record.
  std::uint16_t total_ = 0, status_502_ = 0;
  std::uint32_t slowest_us_ = 0;
  std::array<std::uint8_t, Sparkline::kPoints> ratio_502_{};  // ring: point i at i % kPoints
  std::array<std::uint8_t, Sparkline::kPoints> latency_{};
};
static_assert(sizeof(RecentResults) == 364 && sizeof(TargetHistory) == 444);
static_assert(sizeof(Sparkline) == 72);

}  // namespace gatewatch::status
