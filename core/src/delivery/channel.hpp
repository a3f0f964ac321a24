#pragma once
// Where rendered letters go. The scheduler calls deliver() only after the journal
// holds a pending row for the key; channels make a repeated deliver() of the same
// key harmless where they can (Maildir: same file name, checked first).
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "delivery/letter.hpp"

namespace outreach {

struct DeliveryResult {
    enum class Status { Delivered, AlreadyDelivered, TemporaryFailure, PermanentFailure };
    Status status = Status::Delivered;
    std::string detail;      // file path, SMTP reply, error text
    std::string message_id;
};

class OUTREACH_EXPORT Channel {
public:
    virtual ~Channel();
    virtual std::string name() const = 0;
    virtual DeliveryResult deliver(const Letter& letter) = 0;
};

// Maildir (tmp/ -> fsync -> rename into new/) with a file name derived from the
// idempotency key, so a crash between writing and journaling cannot duplicate.
class OUTREACH_EXPORT MaildirChannel final : public Channel {
public:
    explicit MaildirChannel(std::filesystem::path root);  // creates tmp/ new/ cur/
    std::string name() const override { return "maildir"; }
    DeliveryResult deliver(const Letter& letter) override;
    std::string file_name_for(const Letter& letter) const;

private:
    std::filesystem::path root_;
};

// Preview: writes the full message to a stream.
class OUTREACH_EXPORT StdoutChannel final : public Channel {
public:
    explicit StdoutChannel(std::ostream& out) : out_(out) {}
    std::string name() const override { return "stdout"; }
    DeliveryResult deliver(const Letter& letter) override;

private:
    std::ostream& out_;
};

}  // namespace outreach
