// SMTP delivery against a real SMTP server (aiosmtpd) started by the test on a
// free loopback port: letters arrive and parse, one connection per batch,
// server down then up retried by the scheduler, 4xx/5xx classification, the
// password file's permissions, stable Message-IDs.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "delivery/channel_factory.hpp"
#include "journal/journal.hpp"
#include "delivery/message.hpp"
#include "schedule/scheduler.hpp"
#include "delivery/smtp_channel.hpp"
#include "smtp_server.hpp"
#include "test_support.hpp"
#include "time/timezone.hpp"


using namespace outreach;
using namespace outreach::test;
namespace fs = std::filesystem;

namespace {

std::string header(const ParsedMessage& message, const std::string& name) {
    const auto it = message.headers.find(name);
    return it == message.headers.end() ? std::string() : it->second;
}

SmtpConfig plain_smtp(int port) {
    SmtpConfig config;
    config.host = "127.0.0.1";
    config.port = port;
    config.security = "none";  // aiosmtpd here has no certificate
    config.timeout_seconds = 20;
    return config;
}

Letter letter_to(const std::string& key, const std::string& to_email, const std::string& to_name) {
    Letter letter;
    letter.idempotency_key = key;
    letter.scheduled = to_instant(make_date(2007, 5, 9), LocalTime{9, 0}, "America/New_York");
    letter.from_name = "Section des traités";
    letter.from_email = "treaty@example.org";
    letter.to_name = to_name;
    letter.to_email = to_email;
    letter.subject = "Invitation — " + to_name;
    letter.body = "Excellency,\n\nThe Focus 2007 event.\n.\n..two dots\nPlease accept the assurances.\n";
    letter.campaign = "focus2007";
    letter.step = "invitation";
    letter.occurrence = "2007-05-09";
    return letter;
}

Instant local(int y, unsigned m, unsigned d, int hh, int mm) {
    return to_instant(make_date(y, m, d), LocalTime{hh, mm}, "America/New_York");
}

// One letter step on 9 May 2007 09:00 New York time, to the three test States.
Workflow invitation_only() {
    Workflow workflow;
    workflow.milestones = {{"letter_date", make_date(2007, 5, 9), false, "invitations"}};
    workflow.steps.push_back(letter_step("invitation", AtTrigger{"letter_date", Days{0}, {9, 0}}));
    return workflow;
}

}  // namespace

TEST_CASE("smtp: LF line endings become CRLF, existing CRLF is kept", "[smtp]") {
    CHECK(to_crlf("a\nb\n") == "a\r\nb\r\n");
    CHECK(to_crlf("a\r\nb\n\n") == "a\r\nb\r\n\r\n");
    CHECK(to_crlf("\n") == "\r\n");
    CHECK(to_crlf("no break") == "no break");
}

TEST_CASE("smtp: letters arrive over one connection and parse", "[smtp]") {
    REQUIRE_SMTP_SERVER();
    ScratchDir dir;
    const int port = free_port();
    auto server = SmtpServer::mailbox(port, dir / "maildir", dir / "server.log");

    const std::vector<Letter> letters = {
        letter_to("focus2007/invitation/2007-05-09/CIV/foreign_minister", "fm.civ@example.org",
                  "Ministre des Affaires étrangères de Côte d'Ivoire"),
        letter_to("focus2007/invitation/2007-05-09/FRA/foreign_minister", "fm.fra@example.org",
                  "Ministre de l'Europe et des Affaires étrangères"),
        letter_to("focus2007/invitation/2007-05-09/CHL/foreign_minister", "fm.chl@example.org",
                  "Ministro de Relaciones Exteriores de Chile")};
    std::map<std::string, const Letter*> by_message_id;
    {
        SmtpChannel channel(plain_smtp(port));
        CHECK(channel.name() == "smtp");
        for (const auto& letter : letters) {
            const DeliveryResult result = channel.deliver(letter);
            INFO(result.detail);
            CHECK(result.status == DeliveryResult::Status::Delivered);
            CHECK(result.message_id == message_id_for(letter.idempotency_key, letter.from_email));
            CHECK(result.detail.find("250") != std::string::npos);
            by_message_id[result.message_id] = &letter;
        }
    }
    server->stop();

    const auto received = messages_in(dir / "maildir/new");
    INFO(read_text(dir / "server.log"));
    REQUIRE(received.size() == letters.size());
    std::set<std::string> peers;
    for (const auto& text : received) {
        const ParsedMessage message = parse_message(text);
        REQUIRE(by_message_id.count(message.message_id) == 1);
        const Letter& letter = *by_message_id[message.message_id];
        CHECK(message.from_name == "Section des traités");
        CHECK(message.from_email == "treaty@example.org");
        CHECK(message.to_name == letter.to_name);  // RFC 2047-decoded again
        CHECK(message.to_email == letter.to_email);
        CHECK(message.subject == letter.subject);
        CHECK(message.date == letter.scheduled);
        CHECK(header(message, "X-MailFrom") == "treaty@example.org");
        CHECK(header(message, "X-RcptTo") == letter.to_email);
        // A line holding a lone dot would end the DATA phase unless stuffed.
        CHECK(message.body.find("event.\n.\n..two dots\nPlease accept") != std::string::npos);
        peers.insert(header(message, "X-Peer"));
    }
    // The same client address and port for every letter: one connection reused.
    CHECK(peers.size() == 1);
}

TEST_CASE("smtp: a server restarted between two letters gets the second one on a new connection", "[smtp]") {
    REQUIRE_SMTP_SERVER();
    ScratchDir dir;
    const int port = free_port();
    SmtpChannel channel(plain_smtp(port));
    auto server = scripted_server(dir, port, "accept");
    const Letter first = letter_to("k/first", "fm.civ@example.org", "Minister");
    CHECK(channel.deliver(first).status == DeliveryResult::Status::Delivered);
    server.reset();  // closes the connection the channel keeps
    server = scripted_server(dir, port, "accept");
    const DeliveryResult second = channel.deliver(letter_to("k/second", "fm.fra@example.org", "Minister"));
    INFO(second.detail);
    CHECK(second.status == DeliveryResult::Status::Delivered);
    server->stop();
    const auto received = messages_in(dir / "received");
    REQUIRE(received.size() == 2);
    CHECK(parse_message(received[0]).message_id == message_id_for("k/first", "treaty@example.org"));
    CHECK(parse_message(received[1]).message_id == message_id_for("k/second", "treaty@example.org"));
    // Different client ports: the first connection was not reused.
    CHECK(header(parse_message(received[0]), "X-Envelope-Peer") != header(parse_message(received[1]), "X-Envelope-Peer"));
}

TEST_CASE("smtp: server down, then up: the scheduler's retries deliver every letter once", "[smtp]") {
    REQUIRE_SMTP_SERVER();
    ScratchDir dir;
    auto runtime = make_runtime(dir.path(), invitation_only());
    Journal journal(dir / "journal.sqlite");
    const int port = free_port();  // nothing listens there yet
    SmtpChannel channel(plain_smtp(port));
    const Instant start = local(2007, 5, 9, 9, 0);
    VirtualClock clock(start);
    Scheduler scheduler(*runtime, journal, clock, channel);

    const auto first = scheduler.run_due();
    REQUIRE(first.size() == 1);
    CHECK(first[0].status == OccurrenceStatus::Fired);
    CHECK(first[0].delivered.empty());
    CHECK(first[0].failed == 3);
    auto records = journal.deliveries("test");
    REQUIRE(records.size() == 3);
    std::set<std::string> keys;
    for (const auto& record : records) {
        INFO(record.detail);
        CHECK(record.channel == "smtp");
        CHECK(record.status == DeliveryStatus::TemporaryFailure);
        CHECK(record.attempts == 1);
        CHECK(record.next_attempt == start + Scheduler::retry_delay(1, record.letter.idempotency_key));
        CHECK(record.detail.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
        keys.insert(record.letter.idempotency_key);
    }
    REQUIRE(keys.size() == 3);
    // Nothing retries before its time.
    CHECK(scheduler.run_due().empty());
    CHECK(journal.deliveries("test")[0].attempts == 1);

    auto server = SmtpServer::mailbox(port, dir / "maildir", dir / "server.log");
    clock.advance(std::chrono::minutes(2));  // past the first backoff (1 min +-20%)
    scheduler.run_due();
    records = journal.deliveries("test");
    REQUIRE(records.size() == 3);
    for (const auto& record : records) {
        INFO(record.detail);
        CHECK(record.status == DeliveryStatus::Delivered);
        CHECK(record.attempts == 2);
        CHECK_FALSE(record.next_attempt.has_value());
        CHECK(record.message_id == message_id_for(record.letter.idempotency_key, "treaty@example.org"));
    }

    // Later passes send nothing again.
    clock.advance(std::chrono::hours(24 * 30));
    scheduler.run_due();
    CHECK(!scheduler.next_due().has_value());
    server->stop();

    std::map<std::string, int> per_key;
    for (const auto& text : messages_in(dir / "maildir/new")) {
        const ParsedMessage message = parse_message(text);
        const std::string key = header(message, "X-Outreach-Key");
        ++per_key[key];
        CHECK(message.message_id == message_id_for(key, "treaty@example.org"));
    }
    CHECK(per_key.size() == 3);
    for (const auto& key : keys) CHECK(per_key[key] == 1);
}

TEST_CASE("smtp: a 4xx reply is a temporary failure, recorded with its next attempt", "[smtp]") {
    REQUIRE_SMTP_SERVER();
    ScratchDir dir;
    const int port = free_port();
    auto server = scripted_server(dir, port, "rcpt-451");
    SmtpChannel channel(plain_smtp(port));

    // Twice on the same channel: a refused letter leaves the session usable.
    for (const char* state : {"CIV", "FRA"}) {
        const Letter letter = letter_to(std::string("focus2007/invitation/2007-05-09/") + state + "/foreign_minister",
                                        "fm@example.org", "Minister");
        const DeliveryResult result = channel.deliver(letter);
        INFO(result.detail);
        CHECK(result.status == DeliveryResult::Status::TemporaryFailure);
        CHECK(result.detail.find("451 4.3.0 Mailbox busy, try again later") != std::string::npos);
        CHECK(result.message_id == message_id_for(letter.idempotency_key, letter.from_email));
    }

    auto runtime = make_runtime(dir.path(), invitation_only());
    Journal journal(dir / "journal.sqlite");
    const Instant start = local(2007, 5, 9, 9, 0);
    VirtualClock clock(start);
    Scheduler scheduler(*runtime, journal, clock, channel);
    const auto reports = scheduler.run_due();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].failed == 3);
    const auto records = journal.deliveries("test");
    REQUIRE(records.size() == 3);
    for (const auto& record : records) {
        INFO(record.detail);
        CHECK(record.status == DeliveryStatus::TemporaryFailure);
        CHECK(record.detail.find("451 4.3.0") != std::string::npos);
        CHECK(record.next_attempt == start + Scheduler::retry_delay(1, record.letter.idempotency_key));
    }
    // The retry is due, and it is what the daemon will wait for.
    CHECK(scheduler.next_due() == journal.next_retry());
    CHECK(messages_in(dir / "received").empty());
}

TEST_CASE("smtp: a 5xx reply marks the letter failed with the server's reply", "[smtp]") {
    REQUIRE_SMTP_SERVER();
    ScratchDir dir;
    const int port = free_port();
    auto server = scripted_server(dir, port, "data-550");
    SmtpChannel channel(plain_smtp(port));

    const DeliveryResult direct = channel.deliver(letter_to("k/direct", "fm@example.org", "Minister"));
    INFO(direct.detail);
    CHECK(direct.status == DeliveryResult::Status::PermanentFailure);
    CHECK(direct.detail.find("550 5.7.1 Message refused by policy") != std::string::npos);

    auto runtime = make_runtime(dir.path(), invitation_only());
    Journal journal(dir / "journal.sqlite");
    VirtualClock clock(local(2007, 5, 9, 9, 0));
    Scheduler scheduler(*runtime, journal, clock, channel);
    const auto reports = scheduler.run_due();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].failed == 3);
    CHECK(reports[0].delivered.empty());
    for (const auto& record : journal.deliveries("test")) {
        INFO(record.detail);
        CHECK(record.status == DeliveryStatus::Failed);
        CHECK(record.detail.find("550 5.7.1 Message refused by policy") != std::string::npos);
        CHECK_FALSE(record.next_attempt.has_value());
        CHECK(record.attempts == 1);
    }
    // Permanent means no retry, ever.
    CHECK_FALSE(journal.next_retry().has_value());
    clock.advance(std::chrono::hours(24));
    scheduler.run_due();
    for (const auto& record : journal.deliveries("test")) CHECK(record.attempts == 1);
    CHECK(messages_in(dir / "received").empty());
}

TEST_CASE("smtp: the same key always yields the same Message-ID", "[smtp]") {
    REQUIRE_SMTP_SERVER();
    ScratchDir dir;
    const int port = free_port();
    auto server = scripted_server(dir, port, "accept");
    const Letter letter = letter_to("focus2007/invitation/2007-05-09/CIV/foreign_minister", "fm.civ@example.org",
                                    "Ministre des Affaires étrangères de Côte d'Ivoire");
    const Letter other = letter_to("focus2007/invitation/2007-05-09/FRA/foreign_minister", "fm.fra@example.org",
                                   "Ministre de l'Europe et des Affaires étrangères");
    {
        SmtpChannel channel(plain_smtp(port));
        CHECK(channel.deliver(letter).status == DeliveryResult::Status::Delivered);
        CHECK(channel.deliver(other).status == DeliveryResult::Status::Delivered);
    }
    {
        // Another process, later: at-least-once may send the letter again.
        SmtpChannel channel(plain_smtp(port));
        CHECK(channel.deliver(letter).status == DeliveryResult::Status::Delivered);
    }
    server->stop();
    const auto received = messages_in(dir / "received");
    REQUIRE(received.size() == 3);
    const ParsedMessage first = parse_message(received[0]);
    const ParsedMessage second = parse_message(received[1]);
    const ParsedMessage again = parse_message(received[2]);
    CHECK(first.message_id == message_id_for(letter.idempotency_key, "treaty@example.org"));
    CHECK(again.message_id == first.message_id);
    CHECK(second.message_id != first.message_id);
    // The envelope the server saw, and the raw DATA: CRLF line endings only.
    CHECK(header(first, "X-Envelope-From") == "treaty@example.org");
    CHECK(header(first, "X-Envelope-To") == "fm.civ@example.org");
    CHECK(received[0].find("\r\n") != std::string::npos);
    for (std::size_t i = 0; i < received[0].size(); ++i)
        if (received[0][i] == '\n') REQUIRE((i > 0 && received[0][i - 1] == '\r'));
}

TEST_CASE("smtp: authentication with a password file of mode 0600", "[smtp]") {
    REQUIRE_SMTP_SERVER();
    ScratchDir dir;
    const int port = free_port();
    auto server = scripted_server(dir, port, "auth");
    const fs::path password_file = dir / "smtp-password";
    write_file(password_file, "s3cret pass\n");
    fs::permissions(password_file, fs::perms::owner_read | fs::perms::owner_write);

    SmtpConfig config = plain_smtp(port);
    config.username = "outreach";
    config.password_file = password_file;
    {
        SmtpChannel channel(config);
        const DeliveryResult result = channel.deliver(letter_to("k/auth", "fm@example.org", "Minister"));
        INFO(result.detail);
        CHECK(result.status == DeliveryResult::Status::Delivered);
    }
    write_file(password_file, "wrong\n");
    {
        SmtpChannel channel(config);
        const DeliveryResult result = channel.deliver(letter_to("k/auth2", "fm@example.org", "Minister"));
        INFO(result.detail);
        // The letter is not at fault: retried once the credentials are fixed.
        CHECK(result.status == DeliveryResult::Status::TemporaryFailure);
        CHECK(result.detail.find("535") != std::string::npos);
    }
    {
        // The same password from an environment variable.
        ::setenv("OUTREACH_SMTP_TEST_PASSWORD", "s3cret pass", 1);
        SmtpConfig from_env = plain_smtp(port);
        from_env.username = "outreach";
        from_env.password_env = "OUTREACH_SMTP_TEST_PASSWORD";
        SmtpChannel channel(from_env);
        ::unsetenv("OUTREACH_SMTP_TEST_PASSWORD");
        const DeliveryResult result = channel.deliver(letter_to("k/auth3", "fm@example.org", "Minister"));
        INFO(result.detail);
        CHECK(result.status == DeliveryResult::Status::Delivered);
    }
    server->stop();
    CHECK(messages_in(dir / "received").size() == 2);
}

TEST_CASE("smtp: a password file readable by others is refused, naming the file and its mode", "[smtp]") {
    ScratchDir dir;
    const fs::path password_file = dir / "smtp-password";
    write_file(password_file, "s3cret\n");
    SmtpConfig config = plain_smtp(25);
    config.username = "outreach";
    config.password_file = password_file;

    ::chmod(password_file.c_str(), 0644);
    CHECK_THROWS_WITH(SmtpChannel(config), Catch::Contains(password_file.string()) && Catch::Contains("mode 0644") &&
                                               Catch::Contains("0600 or stricter"));
    ::chmod(password_file.c_str(), 0640);
    CHECK_THROWS_WITH(read_password_file(password_file), Catch::Contains("mode 0640"));
    ::chmod(password_file.c_str(), 0600);
    CHECK(read_password_file(password_file) == "s3cret");
    ::chmod(password_file.c_str(), 0400);
    CHECK(read_password_file(password_file) == "s3cret");
    CHECK_NOTHROW(SmtpChannel(config));

    CHECK_THROWS_WITH(read_password_file(dir / "missing"), Catch::Contains((dir / "missing").string()));
    write_file(dir / "empty", "\n");
    ::chmod((dir / "empty").c_str(), 0600);
    CHECK_THROWS_WITH(read_password_file(dir / "empty"), Catch::Contains("is empty"));

    SmtpConfig from_env = plain_smtp(25);
    from_env.username = "outreach";
    from_env.password_env = "OUTREACH_SMTP_TEST_UNSET_VARIABLE";
    ::unsetenv("OUTREACH_SMTP_TEST_UNSET_VARIABLE");
    CHECK_THROWS_WITH(SmtpChannel(from_env), Catch::Contains("OUTREACH_SMTP_TEST_UNSET_VARIABLE"));
}

TEST_CASE("smtp: make_channel builds the smtp channel and refuses one without a host", "[smtp]") {
    std::ostringstream preview;
    DeliveryConfig delivery;
    delivery.channel = "smtp";
    delivery.smtp = plain_smtp(2525);
    const auto channel = make_channel(delivery, "/nonexistent-outbox", preview);
    CHECK(channel->name() == "smtp");
    delivery.smtp.host.clear();
    CHECK_THROWS_WITH(make_channel(delivery, "/nonexistent-outbox", preview), Catch::Contains("host"));
}

// ---- TLS: STARTTLS and implicit TLS against aiosmtpd with a test-made CA ----

namespace {

const char* const kOpenssl = "/usr/bin/openssl";

#define REQUIRE_TLS_TOOLS()                                                                             \
    do {                                                                                                \
        REQUIRE_SMTP_SERVER();                                                                          \
        if (::access(kOpenssl, X_OK) != 0) {                                                            \
            WARN("skipped: " << kOpenssl << " is needed to make the test certificates (package openssl)"); \
            return;                                                                                     \
        }                                                                                               \
    } while (false)

void openssl(const std::vector<std::string>& args) {
    std::vector<std::string> command{kOpenssl};
    command.insert(command.end(), args.begin(), args.end());
    std::string shown;
    for (const auto& arg : command) shown += arg + " ";
    INFO(shown);
    REQUIRE(run_quietly(command) == 0);
}

// A certificate authority made for one test, and server certificates it signs.
class TestCertificates {
public:
    explicit TestCertificates(const fs::path& dir) : dir_(dir) {
        make_authority("ca", "Outreach Test CA");
        make_authority("other-ca", "Outreach Unrelated CA");
        make_server("server", "IP:127.0.0.1,DNS:localhost");
        make_server("wrong-name", "DNS:mail.example.org");
    }

    fs::path ca() const { return dir_ / "ca.crt"; }
    fs::path other_ca() const { return dir_ / "other-ca.crt"; }
    fs::path certificate(const std::string& server) const { return dir_ / (server + ".crt"); }
    fs::path key(const std::string& server) const { return dir_ / (server + ".key"); }

private:
    void make_authority(const std::string& name, const std::string& common_name) {
        openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                 "-subj", "/CN=" + common_name, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                 "keyUsage=critical,keyCertSign,cRLSign", "-keyout", (dir_ / (name + ".key")).string(), "-out",
                 (dir_ / (name + ".crt")).string()});
    }

    void make_server(const std::string& name, const std::string& alt_names) {
        const fs::path extensions = dir_ / (name + ".ext");
        write_file(extensions, "subjectAltName=" + alt_names +
                                   "\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
                                   "extendedKeyUsage=serverAuth\n");
        const fs::path request = dir_ / (name + ".csr");
        openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
                 "/CN=localhost", "-keyout", key(name).string(), "-out", request.string()});
        openssl({"x509", "-req", "-in", request.string(), "-CA", ca().string(), "-CAkey", (dir_ / "ca.key").string(),
                 "-set_serial", std::to_string(++serial_), "-days", "2", "-extfile", extensions.string(), "-out",
                 certificate(name).string()});
    }

    fs::path dir_;
    int serial_ = 1000;
};

// aiosmtpd's Mailbox handler behind STARTTLS, which it requires before MAIL.
std::unique_ptr<SmtpServer> starttls_mailbox(int port, const TestCertificates& certificates,
                                             const std::string& server, const fs::path& maildir,
                                             const fs::path& log) {
    return std::make_unique<SmtpServer>(
        std::vector<std::string>{kPython, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port),
                                 "--tlscert", certificates.certificate(server).string(), "--tlskey",
                                 certificates.key(server).string(), "-c", "aiosmtpd.handlers.Mailbox",
                                 maildir.string()},
        port, log);
}

// The same with TLS from the first byte (SMTPS).
std::unique_ptr<SmtpServer> smtps_mailbox(int port, const TestCertificates& certificates, const fs::path& maildir,
                                          const fs::path& log) {
    return std::make_unique<SmtpServer>(
        std::vector<std::string>{kPython, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port),
                                 "--smtpscert", certificates.certificate("server").string(), "--smtpskey",
                                 certificates.key("server").string(), "-c", "aiosmtpd.handlers.Mailbox",
                                 maildir.string()},
        port, log);
}

SmtpConfig tls_smtp(const std::string& security, int port, const fs::path& ca_file) {
    SmtpConfig config = plain_smtp(port);
    config.security = security;
    config.ca_file = ca_file;
    return config;
}

}  // namespace

TEST_CASE("smtp: STARTTLS with the private CA in ca_file delivers letters that parse", "[smtp]") {
    REQUIRE_TLS_TOOLS();
    ScratchDir dir;
    const TestCertificates certificates(dir.path());
    const int port = free_port();
    auto server = starttls_mailbox(port, certificates, "server", dir / "maildir", dir / "server.log");

    const std::vector<Letter> letters = {
        letter_to("focus2007/invitation/2007-05-09/CIV/foreign_minister", "fm.civ@example.org",
                  "Ministre des Affaires étrangères de Côte d'Ivoire"),
        letter_to("focus2007/invitation/2007-05-09/CHL/foreign_minister", "fm.chl@example.org",
                  "Ministro de Relaciones Exteriores de Chile")};
    std::map<std::string, const Letter*> by_message_id;
    {
        SmtpChannel channel(tls_smtp("starttls", port, certificates.ca()));
        for (const auto& letter : letters) {
            const DeliveryResult result = channel.deliver(letter);
            INFO(result.detail);
            CHECK(result.status == DeliveryResult::Status::Delivered);
            CHECK(result.detail.find("250") != std::string::npos);
            by_message_id[result.message_id] = &letter;
        }
    }
    server->stop();

    const auto received = messages_in(dir / "maildir/new");
    INFO(read_text(dir / "server.log"));
    REQUIRE(received.size() == letters.size());
    for (const auto& text : received) {
        const ParsedMessage message = parse_message(text);
        REQUIRE(by_message_id.count(message.message_id) == 1);
        const Letter& letter = *by_message_id[message.message_id];
        CHECK(message.to_email == letter.to_email);
        CHECK(message.to_name == letter.to_name);
        CHECK(message.subject == letter.subject);
        CHECK(header(message, "X-RcptTo") == letter.to_email);
        CHECK(message.body.find("event.\n.\n..two dots\nPlease accept") != std::string::npos);
    }
}

TEST_CASE("smtp: a server certificate that does not verify is a temporary failure naming the certificate",
          "[smtp]") {
    REQUIRE_TLS_TOOLS();
    ScratchDir dir;
    const TestCertificates certificates(dir.path());
    const Letter letter = letter_to("k/tls-refused", "fm.civ@example.org", "Minister");
    const auto expect_certificate_failure = [&](const SmtpConfig& config) {
        SmtpChannel channel(config);
        const DeliveryResult result = channel.deliver(letter);
        INFO(result.detail);
        // The operator must fix ca_file or the server; retried with backoff meanwhile.
        CHECK(result.status == DeliveryResult::Status::TemporaryFailure);
        CHECK_THAT(result.detail, Catch::Contains("certificate"));
        CHECK_THAT(result.detail, Catch::Contains("delivery.smtp.ca_file"));
        CHECK(result.message_id == message_id_for(letter.idempotency_key, letter.from_email));
    };
    const int port = free_port();
    SECTION("without ca_file the system CAs do not know the test CA") {
        auto server = starttls_mailbox(port, certificates, "server", dir / "maildir", dir / "server.log");
        expect_certificate_failure(tls_smtp("starttls", port, {}));
    }
    SECTION("a ca_file naming another CA") {
        auto server = starttls_mailbox(port, certificates, "server", dir / "maildir", dir / "server.log");
        expect_certificate_failure(tls_smtp("starttls", port, certificates.other_ca()));
    }
    SECTION("the right CA but a certificate for another host name") {
        auto server = starttls_mailbox(port, certificates, "wrong-name", dir / "maildir", dir / "server.log");
        expect_certificate_failure(tls_smtp("starttls", port, certificates.ca()));
    }
    CHECK(messages_in(dir / "maildir/new").empty());
}

TEST_CASE("smtp: security none against a server that requires STARTTLS is refused with 530, retried", "[smtp]") {
    REQUIRE_TLS_TOOLS();
    ScratchDir dir;
    const TestCertificates certificates(dir.path());
    const int port = free_port();
    auto server = starttls_mailbox(port, certificates, "server", dir / "maildir", dir / "server.log");
    SmtpChannel channel(plain_smtp(port));
    const DeliveryResult result = channel.deliver(letter_to("k/plain", "fm.civ@example.org", "Minister"));
    INFO(result.detail);
    // The setting is wrong, not the letter: it goes out once security is fixed.
    CHECK(result.status == DeliveryResult::Status::TemporaryFailure);
    CHECK_THAT(result.detail, Catch::Contains("530") && Catch::Contains("STARTTLS"));
    CHECK_THAT(result.detail, Catch::Contains("delivery.smtp security"));
    server->stop();
    CHECK(messages_in(dir / "maildir/new").empty());
}

TEST_CASE("smtp: implicit TLS (smtps) verifies the host name localhost against ca_file", "[smtp]") {
    REQUIRE_TLS_TOOLS();
    ScratchDir dir;
    const TestCertificates certificates(dir.path());
    const int port = free_port();
    auto server = smtps_mailbox(port, certificates, dir / "maildir", dir / "server.log");
    SmtpConfig config = tls_smtp("tls", port, certificates.ca());
    config.host = "localhost";  // the certificate's DNS name; 127.0.0.1 is its IP name
    {
        SmtpChannel channel(config);
        const DeliveryResult result = channel.deliver(letter_to("k/smtps", "fm.fra@example.org", "Ministre"));
        INFO(result.detail);
        CHECK(result.status == DeliveryResult::Status::Delivered);
    }
    {
        config.ca_file = certificates.other_ca();
        SmtpChannel channel(config);
        const DeliveryResult result = channel.deliver(letter_to("k/smtps-refused", "fm.fra@example.org", "Ministre"));
        INFO(result.detail);
        CHECK(result.status == DeliveryResult::Status::TemporaryFailure);
        CHECK_THAT(result.detail, Catch::Contains("certificate"));
    }
    server->stop();
    const auto received = messages_in(dir / "maildir/new");
    INFO(read_text(dir / "server.log"));
    REQUIRE(received.size() == 1);
    CHECK(parse_message(received[0]).message_id == message_id_for("k/smtps", "treaty@example.org"));
}

TEST_CASE("smtp: a ca_file that cannot be read stops the channel from starting", "[smtp]") {
    ScratchDir dir;
    SmtpConfig config = tls_smtp("starttls", 587, dir / "missing-ca.crt");
    CHECK_THROWS_WITH(SmtpChannel(config),
                      Catch::Contains("delivery.smtp.ca_file") && Catch::Contains((dir / "missing-ca.crt").string()));
    config.ca_file = dir.path();  // a directory
    CHECK_THROWS_WITH(SmtpChannel(config), Catch::Contains("delivery.smtp.ca_file"));
}
