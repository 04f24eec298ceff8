#include "window/target_windows.h"

#include <algorithm>

namespace gatewatch::window {

TargetWindows::TargetWindows(const std::vector<std::chrono::milliseconds>& spans,
                             std::chrono::milliseconds fastest_interval,
                             core::Clock::Duration phase)
    : phase_(phase) {
  windows_.reserve(spans.size());
  for (std::chrono::milliseconds span : spans) {
    windows_.emplace_back(span, SlidingWindow::kDefaultBuckets, fastest_interval);
  }
}

void TargetWindows::Record(core::Clock::TimePoint at, const probe::ProbeResult& result) {
  for (SlidingWindow& window : windows_) window.Record(at - phase_, result);
}

std::vector<WindowStats> TargetWindows::Stats(core::Clock::TimePoint now) const {
  std::vector<WindowStats> out;
  Stats(now, out);
  return out;
}

void TargetWindows::Stats(core::Clock::TimePoint now, std::vector<WindowStats>& out) const {
  out.resize(windows_.size());
  for (std::size_t i = 0; i < windows_.size(); ++i) out[i] = StatsOf(i, now);
}

core::Clock::TimePoint TargetWindows::NextBoundary(core::Clock::TimePoint now) const {
  auto next = core::Clock::TimePoint::max();
  for (const SlidingWindow& window : windows_) {
    next = std::min(next, window.NextBoundary(now - phase_) + phase_);
  }
  return next;
}

std::vector<std::chrono::milliseconds> TargetWindows::spans() const {
  std::vector<std::chrono::milliseconds> spans;
  spans.reserve(windows_.size());
  for (const SlidingWindow& window : windows_) spans.push_back(window.span());
  return spans;
}

std::size_t TargetWindows::Compact(const std::function<bool(const void*)>& worth_moving) {
  std::size_t moved = 0;
  if (!windows_.empty() && worth_moving(windows_.data())) {
    std::vector<SlidingWindow> fresh;
    fresh.reserve(windows_.size());
    for (SlidingWindow& window : windows_) fresh.push_back(std::move(window));  // rings stay
    windows_ = std::move(fresh);
    ++moved;
  }
  for (SlidingWindow& window : windows_) moved += window.Compact(worth_moving);
  return moved;
}

std::size_t TargetWindows::memory_bytes() const {
  std::size_t bytes = sizeof(*this);
  for (const SlidingWindow& window : windows_) bytes += window.memory_bytes();
  return bytes;
}

}  // namespace gatewatch::window
