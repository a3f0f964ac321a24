// Preview channel: prints each message as it would be stored, one after another.
#include <exception>
#include <string>

#include "delivery/channel.hpp"
#include "delivery/message.hpp"

namespace outreach {

namespace {
// Marks where one message ends and the next begins in the preview.
const std::string message_separator(72, '=');
}  // namespace

DeliveryResult StdoutChannel::deliver(const Letter& letter) {
    using Status = DeliveryResult::Status;
    const std::string message_id = message_id_for(letter.idempotency_key, letter.from_email);
    std::string message;
    try {
        message = build_message(letter);
    } catch (const std::exception& error) {
        return DeliveryResult{Status::PermanentFailure, error.what(), message_id};
    }
    out_ << message << message_separator << '\n';
    out_.flush();
    if (!out_) return DeliveryResult{Status::TemporaryFailure, "cannot write the message to the output stream", message_id};
    return DeliveryResult{Status::Delivered, "stdout", message_id};
}

}  // namespace outreach
