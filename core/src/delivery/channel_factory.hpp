#pragma once
// Builds the channel the operator configured ([delivery] channel).
#include <filesystem>
#include <memory>
#include <ostream>

#include "delivery/channel.hpp"
#include "config/config.hpp"

namespace outreach {

// `outbox` overrides delivery.outbox (e.g. --state-dir). Throws
// std::runtime_error for a channel that cannot be set up.
OUTREACH_EXPORT std::unique_ptr<Channel> make_channel(const DeliveryConfig& delivery,
                                                      const std::filesystem::path& outbox, std::ostream& preview);

}  // namespace outreach
