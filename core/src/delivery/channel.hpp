#pragma once
// Where rendered letters go. The scheduler calls deliver() only after the journal
// holds a pending row for the key; channels make a repeated deliver() of the same
// key harmless where they can (Maildir: same file name, checked first).
#include <filesystem>
#include <memory>
#include <optional>
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
    // One letter, durable (or handed over) when it returns.
    virtual DeliveryResult deliver(const Letter& letter) = 0;

    // Batched delivery. stage() prepares a letter so that publish() can make all
    // staged letters durable and visible at once (Maildir: one flush per batch,
    // not two fsyncs per letter); until publish() succeeds a staged letter may be
    // lost but is never half-visible. The scheduler commits the journal only after
    // publish(). Channels without batching deliver in stage().
    virtual DeliveryResult stage(const Letter& letter) { return deliver(letter); }
    // nullopt when every staged letter is now durable and visible; else why not
    // (then none of them counts as delivered).
    virtual std::optional<std::string> publish() { return std::nullopt; }
    // A hint, for a letter composed and about to be staged: the channel may start
    // the work stage() would do, where nothing is visible yet (Maildir: build the
    // message and write it into tmp/ on its work queue), so that the work runs
    // beside the composing of the next letters. stage() then finds it done.
    // drop_prepared() discards what was prepared and not staged.
    virtual void prepare(const Letter&) {}
    virtual void drop_prepared() {}
    // Letters per batch. 1: each letter is recorded in the journal before the next
    // is handed over (SMTP: a crash re-sends at most the letter in flight).
    virtual std::size_t batch_limit() const { return 1; }
};

// Maildir (tmp/ -> fsync -> rename into new/) with a file name derived from the
// idempotency key, so a crash between writing and journaling cannot duplicate.
class OUTREACH_EXPORT MaildirChannel final : public Channel {
public:
    explicit MaildirChannel(std::filesystem::path root);  // creates tmp/ new/ cur/
    ~MaildirChannel() override;
    std::string name() const override { return "maildir"; }
    DeliveryResult deliver(const Letter& letter) override;
    DeliveryResult stage(const Letter& letter) override;
    std::optional<std::string> publish() override;
    void prepare(const Letter& letter) override;
    void drop_prepared() override;
    std::size_t batch_limit() const override { return 512; }
    std::string file_name_for(const Letter& letter) const;

private:
    struct State;
    DeliveryResult stage_letter(const Letter& letter, bool in_background);
    std::filesystem::path root_;
    std::unique_ptr<State> state_;
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
