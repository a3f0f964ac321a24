#include "delivery/channel_factory.hpp"

#include <stdexcept>

#include "delivery/smtp_channel.hpp"

namespace outreach {

std::unique_ptr<Channel> make_channel(const DeliveryConfig& delivery, const std::filesystem::path& outbox,
                                      std::ostream& preview) {
    if (delivery.channel == "maildir") return std::make_unique<MaildirChannel>(outbox);
    if (delivery.channel == "stdout") return std::make_unique<StdoutChannel>(preview);
    if (delivery.channel == "smtp") return std::make_unique<SmtpChannel>(delivery.smtp);
    throw std::runtime_error("delivery channel '" + delivery.channel + "' is not available");
}

}  // namespace outreach
