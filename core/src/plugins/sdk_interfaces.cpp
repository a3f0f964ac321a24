// Out-of-line virtual destructors: they anchor the vtables and typeinfo of the SDK
// interfaces in liboutreach, so the host and every plugin agree on one copy.
#include "delivery/channel.hpp"
#include "outreach/clock.hpp"
#include "outreach/plugin.hpp"

namespace outreach {

Clock::~Clock() = default;
Instant SystemClock::now() const {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

CampaignType::~CampaignType() = default;
bool CampaignType::matches(const std::string& predicate, const State&, const std::vector<Response>&,
                           const FiringContext&) const {
    throw std::runtime_error("campaign type '" + name() + "' declares no audience predicate '" + predicate + "'");
}
TemplateValues CampaignType::firing_values(const FiringContext&, const std::vector<Response>&) const { return {}; }
TemplateValues CampaignType::letter_values(const FiringContext&, const State&, const std::vector<Response>&) const {
    return {};
}
Plugin::~Plugin() = default;
Channel::~Channel() = default;

}  // namespace outreach
