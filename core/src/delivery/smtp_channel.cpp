// SMTP submission with libcurl; see smtp_channel.hpp for the promises.
#include "delivery/smtp_channel.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "delivery/message.hpp"

namespace outreach {

namespace {

namespace fs = std::filesystem;

void ensure_curl_initialized() {
    static std::once_flag once;
    static CURLcode status = CURLE_OK;
    std::call_once(once, [] { status = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (status != CURLE_OK)
        throw std::runtime_error(std::string("cannot initialise libcurl: ") + curl_easy_strerror(status));
}

std::string octal_mode(mode_t mode) {
    std::array<char, 8> text{};
    std::snprintf(text.data(), text.size(), "%04o", static_cast<unsigned>(mode & 07777));
    return text.data();
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

// The name sent with EHLO: this machine's host name, as receivers expect.
std::string local_host_name() {
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "localhost";
    return name.data();
}

std::string smtp_url(const SmtpConfig& config) {
    const std::string scheme = config.security == "tls" ? "smtps" : "smtp";
    // An IPv6 literal needs brackets in a URL.
    const bool ipv6 = config.host.find(':') != std::string::npos && config.host.front() != '[';
    const std::string host = ipv6 ? "[" + config.host + "]" : config.host;
    // libcurl takes the URL path as the EHLO domain.
    return scheme + "://" + host + ":" + std::to_string(config.port) + "/" + local_host_name();
}

std::string read_password(const SmtpConfig& config) {
    if (!config.password_file.empty() && !config.password_env.empty())
        throw std::runtime_error("delivery.smtp: password_file and password_env are mutually exclusive");
    if (!config.password_file.empty()) return read_password_file(config.password_file);
    if (!config.password_env.empty()) {
        const char* value = std::getenv(config.password_env.c_str());
        if (!value || !*value)
            throw std::runtime_error("SMTP password: environment variable " + config.password_env +
                                     " (delivery.smtp.password_env) is not set or is empty");
        return value;
    }
    return {};
}

// An envelope address goes into an SMTP command line verbatim: refuse anything
// that could end or extend the command.
bool is_envelope_address(const std::string& address) {
    return !address.empty() && address.find('@') != std::string::npos &&
           std::none_of(address.begin(), address.end(),
                        [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == 127; });
}

bool is_connection_error(CURLcode code) {
    switch (code) {
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
            return true;
        default:
            return false;
    }
}

bool is_certificate_error(CURLcode code) {
    switch (code) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return true;
        default:
            return false;
    }
}

constexpr std::size_t kMaxPasswordFileBytes = 4096;

struct CurlListFree {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

std::string read_password_file(const fs::path& file) {
    // O_NONBLOCK: a FIFO (or a device) must not block `run` forever before the
    // checks below refuse it. O_NOFOLLOW: the checks apply to the file named, not
    // to whatever a link planted in its place points to.
    const FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW));
    if (fd.get() < 0) {
        const int error = errno;
        if (error == ELOOP)
            throw std::runtime_error("SMTP password file " + file.string() +
                                     " is a symbolic link: name the file itself in delivery.smtp.password_file");
        throw std::runtime_error("cannot open SMTP password file " + file.string() + ": " + std::strerror(error));
    }
    // fstat on the open descriptor: the checks apply to the very file read.
    struct stat status {};
    if (::fstat(fd.get(), &status) != 0)
        throw std::runtime_error("cannot check SMTP password file " + file.string() + ": " + std::strerror(errno));
    if (!S_ISREG(status.st_mode))
        throw std::runtime_error("SMTP password file " + file.string() + " is not a regular file");
    if ((status.st_mode & 077) != 0)
        throw std::runtime_error("SMTP password file " + file.string() + " has mode " + octal_mode(status.st_mode) +
                                 ": it must be 0600 or stricter (chmod 600 " + file.string() + ")");
    if (status.st_uid != ::geteuid())
        throw std::runtime_error("SMTP password file " + file.string() + " is owned by uid " +
                                 std::to_string(status.st_uid) + ", not by the user running outreach (uid " +
                                 std::to_string(::geteuid()) + ")");
    if (status.st_size > static_cast<off_t>(kMaxPasswordFileBytes))
        throw std::runtime_error("SMTP password file " + file.string() + " is " + std::to_string(status.st_size) +
                                 " bytes: a password file holds one password (at most " +
                                 std::to_string(kMaxPasswordFileBytes) + " bytes)");
    std::string password;
    std::array<char, 4096> buffer{};
    for (;;) {
        const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
        if (got < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("cannot read SMTP password file " + file.string() + ": " + std::strerror(errno));
        }
        if (got == 0) break;
        password.append(buffer.data(), static_cast<std::size_t>(got));
        if (password.size() > kMaxPasswordFileBytes)
            throw std::runtime_error("SMTP password file " + file.string() + " grew past " +
                                     std::to_string(kMaxPasswordFileBytes) + " bytes while being read");
    }
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    if (password.empty()) throw std::runtime_error("SMTP password file " + file.string() + " is empty");
    if (password.find_first_of("\r\n") != std::string::npos || password.find('\0') != std::string::npos)
        throw std::runtime_error("SMTP password file " + file.string() +
                                 " holds more than one line: it must hold the password alone");
    return password;
}

std::string to_crlf(const std::string& text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
        out += text[i];
    }
    return out;
}

struct SmtpChannel::Session {
    SmtpConfig config;
    std::string url;
    std::string password;
    CURL* curl = nullptr;
    std::array<char, CURL_ERROR_SIZE> error{};

    // State of the transfer in progress.
    std::string upload;
    std::size_t uploaded = 0;
    std::vector<std::string> reply_lines;  // the server's reply being read
    bool reply_complete = true;
    std::string last_reply;     // the last complete reply, lines joined
    std::string refusal_reply;  // the last 4xx/5xx reply (curl ends with QUIT after it)
    bool data_sent = false;  // DATA went out: retrying could duplicate the letter

    ~Session() {
        if (curl) curl_easy_cleanup(curl);  // sends QUIT on a connection still open
    }

    void reset_transfer(std::string message) {
        upload = std::move(message);
        uploaded = 0;
        reply_lines.clear();
        reply_complete = true;
        last_reply.clear();
        refusal_reply.clear();
        data_sent = false;
        error[0] = '\0';
    }

    // libcurl shows the dialogue line by line through its debug hook: the only
    // way to learn the text of the server's replies.
    void observe(curl_infotype type, std::string_view data) {
        if (type != CURLINFO_HEADER_IN && type != CURLINFO_HEADER_OUT) return;
        while (!data.empty()) {
            const auto end = data.find('\n');
            std::string_view line = data.substr(0, end);
            data = end == std::string_view::npos ? std::string_view{} : data.substr(end + 1);
            while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
            if (type == CURLINFO_HEADER_OUT) {
                if (line.size() >= 4 && (line.substr(0, 4) == "DATA" || line.substr(0, 4) == "data")) data_sent = true;
                continue;
            }
            if (line.empty()) continue;
            if (reply_complete) reply_lines.clear();
            reply_lines.emplace_back(line);
            // "250-..." continues a multi-line reply, "250 ..." ends it.
            reply_complete = line.size() < 4 || line[3] != '-';
            if (reply_complete) {
                last_reply.clear();
                for (const auto& part : reply_lines) last_reply += (last_reply.empty() ? "" : " ") + part;
                if (last_reply[0] == '4' || last_reply[0] == '5') refusal_reply = last_reply;
            }
        }
    }

    static int debug_hook(CURL*, curl_infotype type, char* data, size_t size, void* user) {
        static_cast<Session*>(user)->observe(type, std::string_view(data, size));
        return 0;
    }

    static size_t read_hook(char* buffer, size_t size, size_t count, void* user) {
        auto* session = static_cast<Session*>(user);
        const std::size_t n = std::min(size * count, session->upload.size() - session->uploaded);
        std::memcpy(buffer, session->upload.data() + session->uploaded, n);
        session->uploaded += n;
        return n;
    }

    void configure_handle() {
        curl = curl_easy_init();
        if (!curl) throw std::runtime_error("cannot create a libcurl handle for SMTP delivery");
        const long total = config.timeout_seconds > 0 ? config.timeout_seconds : 60;
        curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error.data());
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, std::min(10L, total));
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, total);
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, &Session::read_hook);
        curl_easy_setopt(curl, CURLOPT_READDATA, this);
        curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);  // feeds debug_hook only, nothing is printed
        curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, &Session::debug_hook);
        curl_easy_setopt(curl, CURLOPT_DEBUGDATA, this);
        if (config.security == "starttls") curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
        // Certificate and host-name checks are never switched off: a private CA
        // is trusted by naming it in ca_file, not by trusting anything.
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!config.ca_file.empty()) {
            // Only the named CA is trusted: the system's CA directory is dropped too.
            curl_easy_setopt(curl, CURLOPT_CAINFO, config.ca_file.c_str());
            curl_easy_setopt(curl, CURLOPT_CAPATH, static_cast<const char*>(nullptr));
        }
        if (!config.username.empty()) {
            curl_easy_setopt(curl, CURLOPT_USERNAME, config.username.c_str());
            curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
        }
    }

    std::string where() const { return "smtp " + config.host + ":" + std::to_string(config.port); }

    DeliveryResult classify(CURLcode code, std::string message_id) const {
        using Status = DeliveryResult::Status;
        long reply_code = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply_code);
        if (code == CURLE_OK) {
            const std::string accepted = last_reply.empty() ? "accepted" : last_reply;
            return {Status::Delivered, where() + ": " + accepted, std::move(message_id)};
        }
        const std::string curl_text = error[0] ? std::string(error.data()) : curl_easy_strerror(code);
        std::string detail = where() + ": " + curl_text;
        const bool server_refused = reply_code >= 400 && reply_code < 600;
        if (server_refused && !refusal_reply.empty()) {
            // The server's own words say why; libcurl's ("Weird server reply" after
            // a refused DATA) only that it refused.
            detail = where() + ": server replied: " + refusal_reply;
            if (code != CURLE_WEIRD_SERVER_REPLY && curl_text != curl_easy_strerror(CURLE_WEIRD_SERVER_REPLY))
                detail += " (" + curl_text + ")";
        }
        // A rejected login says nothing about the letter: once the operator fixes
        // the credentials, the retries deliver it.
        if (code == CURLE_LOGIN_DENIED)
            return {Status::TemporaryFailure, detail + " (check delivery.smtp username and password)",
                    std::move(message_id)};
        // A certificate that does not verify is a configuration problem too:
        // retried with backoff until the operator fixes ca_file or the server.
        if (is_certificate_error(code))
            return {Status::TemporaryFailure,
                    detail + " (the server's certificate did not verify; check delivery.smtp.ca_file and host)",
                    std::move(message_id)};
        // 530: the server wants STARTTLS or a login before mail; the setting is
        // at fault, not the letter.
        if (reply_code == 530)
            return {Status::TemporaryFailure, detail + " (check delivery.smtp security, username and password)",
                    std::move(message_id)};
        if (reply_code >= 500 && reply_code < 600) return {Status::PermanentFailure, detail, std::move(message_id)};
        // 4xx replies, refused or broken connections, timeouts, TLS trouble:
        // all worth another attempt later.
        return {Status::TemporaryFailure, detail, std::move(message_id)};
    }
};

SmtpChannel::SmtpChannel(const SmtpConfig& config) : session_(std::make_unique<Session>()) {
    if (config.host.empty())
        throw std::runtime_error("delivery channel 'smtp' needs a server: set host in [delivery.smtp]");
    if (config.security != "starttls" && config.security != "tls" && config.security != "none")
        throw std::runtime_error("delivery.smtp.security must be 'starttls', 'tls' or 'none', not '" +
                                 config.security + "'");
    if (config.port < 1 || config.port > 65535)
        throw std::runtime_error("delivery.smtp.port " + std::to_string(config.port) + " is out of range (1 to 65535)");
    const bool has_password_source = !config.password_file.empty() || !config.password_env.empty();
    if (!config.username.empty() && !has_password_source)
        throw std::runtime_error("delivery.smtp.username is set but neither password_file nor password_env is");
    if (config.username.empty() && has_password_source)
        throw std::runtime_error("delivery.smtp has a password but no username");
    if (!config.ca_file.empty()) {
        // Checked here too for channels built without load_config: a daemon
        // should refuse to start rather than fail every letter.
        std::error_code ec;
        if (!fs::is_regular_file(config.ca_file, ec) || ::access(config.ca_file.c_str(), R_OK) != 0)
            throw std::runtime_error("delivery.smtp.ca_file: cannot read CA file " + config.ca_file.string());
    }
    ensure_curl_initialized();
    session_->config = config;
    session_->url = smtp_url(config);
    session_->password = read_password(config);
    if (!config.username.empty() && config.security == "none")
        spdlog::warn("delivery.smtp: security = \"none\" sends the SMTP password for {} unencrypted", config.username);
    session_->configure_handle();
}

SmtpChannel::~SmtpChannel() = default;

DeliveryResult SmtpChannel::deliver(const Letter& letter) {
    using Status = DeliveryResult::Status;
    Session& s = *session_;
    std::string message_id = message_id_for(letter.idempotency_key, letter.from_email);
    if (!is_envelope_address(letter.from_email))
        return {Status::PermanentFailure, "unusable sender address '" + letter.from_email + "'", message_id};
    if (!is_envelope_address(letter.to_email))
        return {Status::PermanentFailure, "unusable recipient address '" + letter.to_email + "'", message_id};
    std::string message;
    try {
        message = build_message(letter);
    } catch (const std::exception& error) {  // the letter itself is unusable; retrying will not help
        return {Status::PermanentFailure, error.what(), message_id};
    }

    const std::string sender = "<" + letter.from_email + ">";
    std::unique_ptr<curl_slist, CurlListFree> recipients(curl_slist_append(nullptr, ("<" + letter.to_email + ">").c_str()));
    if (!recipients) return {Status::TemporaryFailure, "out of memory building the SMTP envelope", message_id};
    message = to_crlf(message);
    curl_easy_setopt(s.curl, CURLOPT_MAIL_FROM, sender.c_str());
    curl_easy_setopt(s.curl, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(s.curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));

    s.reset_transfer(message);
    CURLcode code = curl_easy_perform(s.curl);
    long new_connections = 0;
    curl_easy_getinfo(s.curl, CURLINFO_NUM_CONNECTS, &new_connections);
    // A connection kept from the previous letter may have been closed by the
    // server meanwhile; if nothing of this letter reached it, try once afresh.
    // Not when the server answered with a refusal (libcurl reports a refused
    // RCPT as a send error too): that is an attempt, with the server's verdict,
    // and the scheduler retries it with backoff. 421 is the server closing the
    // connection, which is what the fresh connection is for.
    const bool server_refused = !s.refusal_reply.empty() && s.refusal_reply.rfind("421", 0) != 0;
    if (is_connection_error(code) && new_connections == 0 && !s.data_sent && !server_refused) {
        s.reset_transfer(std::move(message));
        curl_easy_setopt(s.curl, CURLOPT_FRESH_CONNECT, 1L);
        code = curl_easy_perform(s.curl);
        curl_easy_setopt(s.curl, CURLOPT_FRESH_CONNECT, 0L);
    }
    DeliveryResult result = s.classify(code, std::move(message_id));
    // The handle keeps no pointers into this call's buffers.
    curl_easy_setopt(s.curl, CURLOPT_MAIL_RCPT, static_cast<curl_slist*>(nullptr));
    curl_easy_setopt(s.curl, CURLOPT_MAIL_FROM, static_cast<const char*>(nullptr));
    return result;
}

}  // namespace outreach
