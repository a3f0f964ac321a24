#pragma once
// Real delivery: submits each letter to an SMTP server with libcurl (smtp://,
// STARTTLS or smtps://, optional AUTH). One curl handle lives as long as the
// channel, so the letters of a batch share one connection. At-least-once: the
// Message-ID derived from the idempotency key lets receivers drop a duplicate.
//
// TLS: the server's certificate and host name are always verified, against
// SmtpConfig::ca_file when set (and then only it), else the system's CAs.
//
// Results: a connection problem, a certificate that does not verify, a 4xx
// reply, a rejected login (535) or a 530 (STARTTLS or login required first) is
// a TemporaryFailure (the scheduler retries with backoff); any other 5xx reply
// is a PermanentFailure; the detail carries the server's reply or curl's error
// text.
#include <filesystem>
#include <memory>
#include <string>

#include "delivery/channel.hpp"
#include "config/config.hpp"

namespace outreach {

class OUTREACH_EXPORT SmtpChannel final : public Channel {
public:
    // Reads the password (file or environment variable) now, so that a daemon
    // refuses to start rather than failing every letter. Throws
    // std::runtime_error with a message naming the setting that is wrong.
    explicit SmtpChannel(const SmtpConfig& config);
    ~SmtpChannel() override;
    SmtpChannel(const SmtpChannel&) = delete;
    SmtpChannel& operator=(const SmtpChannel&) = delete;

    std::string name() const override { return "smtp"; }
    DeliveryResult deliver(const Letter& letter) override;

private:
    struct Session;
    std::unique_ptr<Session> session_;
};

// The password in `file`, without its trailing line break. Throws
// std::runtime_error naming the file when it cannot be read, is empty, is
// readable or writable by group or others, or belongs to another user.
OUTREACH_EXPORT std::string read_password_file(const std::filesystem::path& file);

// LF line endings (build_message's form) to CRLF, as SMTP requires; existing
// CRLF pairs are kept. Dot-stuffing is left to libcurl.
OUTREACH_EXPORT std::string to_crlf(const std::string& text);

}  // namespace outreach
