#include "ledger/subscription.h"

#include <vector>

namespace ledger {

absl::Status RunSubscription(const EventLog& log, uint64_t from_position, const LogFilter& filter,
                             const SubscriptionCallbacks& callbacks, absl::Duration poll_interval,
                             uint64_t chunk) {
  uint64_t next = std::max<uint64_t>(from_position, 1);
  bool live = false;
  std::vector<engagement::v1::Event> buffer;
  while (true) {
    if (callbacks.cancelled && callbacks.cancelled()) return absl::OkStatus();
    uint64_t head = log.Head().position;
    if (next > head) {
      if (!live) {
        live = true;
        if (callbacks.caught_up && !callbacks.caught_up(head)) return absl::OkStatus();
      }
      if (log.ShuttingDown()) return absl::OkStatus();
      log.WaitForHeadBeyond(next - 1, poll_interval);
      continue;
    }
    // Read a chunk into memory first, so that no storage iterator is held while the consumer
    // takes its time.
    LogReadOptions options;
    options.from_position = next;
    options.to_position = std::min(head, next + chunk - 1);
    options.filter = filter;
    buffer.clear();
    absl::Status read = log.ReadLog(options, [&](const engagement::v1::Event& event,
                                                 absl::string_view) {
      buffer.push_back(event);
      return true;
    });
    if (!read.ok()) return read;
    for (const engagement::v1::Event& event : buffer) {
      if (!callbacks.deliver(event)) return absl::OkStatus();
    }
    next = options.to_position + 1;
  }
}

}  // namespace ledger
