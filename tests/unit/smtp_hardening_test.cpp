// SMTP channel hardening (issue 9): a password file that is not a regular file
// is refused without blocking; a refused RCPT on a reused connection is one
// attempt, not retried at once; a refused DATA reports the server's words.
// The server is a few lines of Python (standard library only) that logs every
// command it receives, so the tests can count what the channel really sent.
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

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "delivery/smtp_channel.hpp"
#include "smtp_server.hpp"
#include "test_support.hpp"
#include "time/timezone.hpp"

using namespace outreach;
using outreach::test::accepts_connections;
using outreach::test::free_port;
using outreach::test::kPython;
using outreach::test::read_text;
using outreach::test::ScratchDir;
namespace fs = std::filesystem;

namespace {

const char* const kServer = R"PY(
import socketserver, sys
port, mode, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
connections = 0

def note(text):
    with open(log, "a") as f:
        f.write(text + "\n")

class Session(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write((text + "\r\n").encode()); self.wfile.flush()
    def handle(self):
        global connections
        connections += 1
        me = connections
        note("connect %d" % me)
        self.reply("220 test.example ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            note("%d %s" % (me, command))
            verb = command.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-test.example"); self.reply("250 8BITMIME")
            elif verb == "MAIL":
                self.reply("250 2.1.0 OK")
            elif verb == "RCPT":
                if "refused" in command:
                    self.reply("550 5.1.1 <refused@example.org>: Recipient address rejected")
                else:
                    self.reply("250 2.1.5 OK")
            elif verb == "DATA":
                if mode == "data-command-554":
                    self.reply("554 5.5.1 No valid recipients, no DATA"); continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                while True:
                    data = self.rfile.readline()
                    if not data or data in (b".\r\n", b".\n"):
                        break
                if mode == "data-550":
                    self.reply("550 5.7.1 Message refused by policy")
                else:
                    self.reply("250 2.0.0 Ok: queued")
            elif verb == "RSET" or verb == "NOOP":
                self.reply("250 2.0.0 OK")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye"); return
            else:
                self.reply("502 5.5.2 Command not recognised")

class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

Server(("127.0.0.1", port), Session).serve_forever()
)PY";

class CommandLoggingServer {
public:
    CommandLoggingServer(const ScratchDir& dir, const std::string& mode) : port_(free_port()), log_(dir / "smtp.log") {
        const fs::path script = dir / "server.py";
        std::ofstream(script) << kServer;
        std::vector<std::string> args{kPython, script.string(), std::to_string(port_), mode, log_.string()};
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        REQUIRE(posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) == 0);
        for (int i = 0; i < 300 && !accepts_connections(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        REQUIRE(accepts_connections(port_));
        // The probe connections above are not the channel's.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        std::ofstream(log_, std::ios::trunc).flush();
    }
    ~CommandLoggingServer() {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    int port() const { return port_; }
    // Lines of the log starting with `prefix` after the connection number ("RCPT").
    std::size_t count(const std::string& verb) const {
        std::istringstream lines(read_text(log_));
        std::size_t n = 0;
        for (std::string line; std::getline(lines, line);) {
            const auto space = line.find(' ');
            if (space != std::string::npos && line.compare(space + 1, verb.size(), verb) == 0) ++n;
            if (verb == "connect" && line.rfind("connect", 0) == 0) ++n;
        }
        return n;
    }
    std::string log() const { return read_text(log_); }

private:
    int port_;
    fs::path log_;
    pid_t pid_ = 0;
};

SmtpConfig plain(int port) {
    SmtpConfig config;
    config.host = "127.0.0.1";
    config.port = port;
    config.security = "none";
    config.timeout_seconds = 20;
    return config;
}

Letter letter_to(const std::string& key, const std::string& to) {
    Letter letter;
    letter.idempotency_key = key;
    letter.scheduled = to_instant(make_date(2007, 5, 9), LocalTime{9, 0}, "America/New_York");
    letter.from_name = "Treaty Section";
    letter.from_email = "treaty@example.org";
    letter.to_name = "Minister";
    letter.to_email = to;
    letter.subject = "Invitation";
    letter.body = "Excellency,\n";
    letter.campaign = "focus2007";
    letter.step = "invitation";
    letter.occurrence = "2007-05-09";
    return letter;
}

// `body` in a child process with a deadline (see input_limits_test.cpp).
int in_child(const std::function<bool()>& body, unsigned seconds) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::alarm(seconds);
        int code = 0;
        try {
            code = body() ? 0 : 1;
        } catch (...) {
            code = 2;
        }
        ::_exit(code);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("smtp: a refused RCPT on a reused connection is one attempt, not retried at once", "[smtp][hardening]") {
    ScratchDir dir;
    CommandLoggingServer server(dir, "accept");
    SmtpChannel channel(plain(server.port()));

    const DeliveryResult first = channel.deliver(letter_to("k/CIV", "fm.civ@example.org"));
    INFO(first.detail);
    REQUIRE(first.status == DeliveryResult::Status::Delivered);

    const DeliveryResult refused = channel.deliver(letter_to("k/FRA", "refused@example.org"));
    INFO(refused.detail << "\n" << server.log());
    CHECK(refused.status == DeliveryResult::Status::PermanentFailure);
    CHECK_THAT(refused.detail, Catch::Contains("550 5.1.1 <refused@example.org>: Recipient address rejected"));
    // libcurl reports the refusal as a send error; retrying it on a fresh
    // connection would be a second, uncounted attempt.
    CHECK(server.count("RCPT") == 2);
    CHECK(server.count("connect") == 1);

    // The channel stays usable.
    const DeliveryResult third = channel.deliver(letter_to("k/CHL", "fm.chl@example.org"));
    INFO(third.detail);
    CHECK(third.status == DeliveryResult::Status::Delivered);
    CHECK(server.count("RCPT") == 3);
}

TEST_CASE("smtp: a refused DATA reports the server's reply, not \"Weird server reply\"", "[smtp][hardening]") {
    for (const char* mode : {"data-550", "data-command-554"}) {
        INFO(mode);
        ScratchDir dir;
        CommandLoggingServer server(dir, mode);
        SmtpChannel channel(plain(server.port()));
        const DeliveryResult result = channel.deliver(letter_to("k/CIV", "fm.civ@example.org"));
        INFO(result.detail);
        CHECK(result.status == DeliveryResult::Status::PermanentFailure);
        CHECK_THAT(result.detail, !Catch::Contains("Weird server reply"));
        CHECK_THAT(result.detail, Catch::Contains(std::string(mode) == "data-550"
                                                      ? "server replied: 550 5.7.1 Message refused by policy"
                                                      : "server replied: 554 5.5.1 No valid recipients, no DATA"));
        CHECK(server.count("DATA") == 1);
    }
}

TEST_CASE("smtp: a password file that is a FIFO, a link, a directory or too big is refused at once", "[smtp][hardening]") {
    ScratchDir dir;
    const fs::path fifo = dir / "password.fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // Opening a FIFO for reading waits for a writer: `run` hung there forever.
    const int status = in_child(
        [&] {
            try {
                read_password_file(fifo);
            } catch (const std::runtime_error& e) {
                return std::string(e.what()).find("is not a regular file") != std::string::npos;
            }
            return false;
        },
        5);
    CHECK(status == 0);

    const fs::path real = dir / "password";
    std::ofstream(real) << "s3cret\n";
    ::chmod(real.c_str(), 0600);
    const fs::path link = dir / "password.link";
    fs::create_symlink(real, link);
    CHECK_THROWS_WITH(read_password_file(link), Catch::Contains("is a symbolic link"));
    CHECK_THROWS_WITH(read_password_file(dir.path()), Catch::Contains("is not a regular file"));

    const fs::path big = dir / "password.big";
    std::ofstream(big) << std::string(5000, 'x');
    ::chmod(big.c_str(), 0600);
    CHECK_THROWS_WITH(read_password_file(big), Catch::Contains("at most 4096 bytes"));

    const fs::path two_lines = dir / "password.two";
    std::ofstream(two_lines) << "s3cret\nsecond\n";
    ::chmod(two_lines.c_str(), 0600);
    CHECK_THROWS_WITH(read_password_file(two_lines), Catch::Contains("more than one line"));
    CHECK(read_password_file(real) == "s3cret");
}
