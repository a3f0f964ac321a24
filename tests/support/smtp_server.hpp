#pragma once
// SMTP servers for the tests, as child processes on a free loopback port: aiosmtpd's
// Maildir handler, or a scripted aiosmtpd server whose replies (and speed) the test
// chooses. Used by tests/integration/smtp_test.cpp, tests/unit/smtp_hardening_test.cpp
// and the fault-injection suite (tests/fault/). Needs Debian's python3-aiosmtpd,
// run with /usr/bin/python3.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

extern char** environ;

namespace outreach::test {
namespace fs = std::filesystem;

inline const char* const kPython = "/usr/bin/python3";

inline int run_quietly(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The tests need the system Python with aiosmtpd (Debian: python3-aiosmtpd).
inline bool smtp_server_available() {
    static const bool available =
        ::access(kPython, X_OK) == 0 && run_quietly({kPython, "-c", "import aiosmtpd.controller"}) == 0;
    return available;
}

#define REQUIRE_SMTP_SERVER()                                                                       \
    do {                                                                                            \
        if (!::outreach::test::smtp_server_available()) {                                           \
            WARN("skipped: " << ::outreach::test::kPython                                           \
                             << " with the aiosmtpd module is needed (python3-aiosmtpd)");           \
            return;                                                                                 \
        }                                                                                           \
    } while (false)

inline sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// A port nothing listens on right now (the kernel picks it).
inline int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address = loopback(0);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    ::close(fd);
    return ntohs(address.sin_port);
}

inline bool accepts_connections(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address = loopback(port);
    const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
}

inline std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// An SMTP server process, stopped (SIGTERM, then SIGKILL) when the object dies.
class SmtpServer {
public:
    SmtpServer(std::vector<std::string> args, int port, fs::path log) : port_(port), log_(std::move(log)) {
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        const int error = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (error != 0) throw std::runtime_error(std::string("cannot start ") + argv[0] + ": " + std::strerror(error));
        wait_until_listening();
    }
    ~SmtpServer() { stop(); }
    SmtpServer(const SmtpServer&) = delete;
    SmtpServer& operator=(const SmtpServer&) = delete;

    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        for (int i = 0; i < 60; ++i) {
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = 0;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        pid_ = 0;
    }

    // Mail stored into a Maildir by aiosmtpd's own Mailbox handler.
    static std::unique_ptr<SmtpServer> mailbox(int port, const fs::path& maildir, const fs::path& log) {
        return std::make_unique<SmtpServer>(std::vector<std::string>{kPython, "-m", "aiosmtpd", "-n", "-l",
                                                                     "127.0.0.1:" + std::to_string(port), "-c",
                                                                     "aiosmtpd.handlers.Mailbox", maildir.string()},
                                            port, log);
    }

private:
    void wait_until_listening() {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        while (std::chrono::steady_clock::now() < give_up) {
            if (accepts_connections(port_)) return;
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = 0;
                throw std::runtime_error("the SMTP server exited at start:\n" + read_text(log_));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        stop();
        throw std::runtime_error("the SMTP server did not listen on port " + std::to_string(port_) +
                                 " within 15 s:\n" + read_text(log_));
    }

    pid_t pid_ = 0;
    int port_;
    fs::path log_;
};

// A server whose replies the test chooses. Modes: "accept" (stores each message
// raw, with its envelope in X-Envelope-* lines in front, into <dir>/received),
// "rcpt-451", "data-550", "auth" (accepts only user "outreach" with "s3cret
// pass"). `delay_ms`: how long it takes to accept each message (a slow relay).
inline const char* const kScriptedServer = R"PY(
import asyncio, os, sys, threading, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

port, mode, store = int(sys.argv[1]), sys.argv[2], sys.argv[3]
delay = int(sys.argv[4]) / 1000.0 if len(sys.argv) > 4 else 0.0  # seconds per accepted message
os.makedirs(store, exist_ok=True)
count = 0

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if mode == "rcpt-451":
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        global count
        if mode == "data-550":
            return "550 5.7.1 Message refused by policy"
        if delay:
            await asyncio.sleep(delay)
        count += 1
        head = ("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\nX-Envelope-Peer: %s\r\n"
                % (envelope.mail_from, ",".join(envelope.rcpt_tos), session.peer)).encode()
        name = os.path.join(store, "%020d-%04d.eml" % (time.time_ns(), count))
        with open(name + ".tmp", "wb") as f:
            f.write(head + envelope.content)
        os.rename(name + ".tmp", name)
        return "250 2.0.0 Ok: queued as %04d" % count

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"outreach" and auth_data.password == b"s3cret pass"
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd sends the 535

options = {}
if mode == "auth":
    options = dict(authenticator=authenticator, auth_require_tls=False, auth_required=True)
controller = Controller(Handler(), hostname="127.0.0.1", port=port, **options)
controller.start()
threading.Event().wait()
)PY";

inline std::unique_ptr<SmtpServer> scripted_server(const std::filesystem::path& dir, int port,
                                                   const std::string& mode, int delay_ms = 0) {
    const fs::path script = dir / "smtp_server.py";
    write_file(script, kScriptedServer);
    return std::make_unique<SmtpServer>(std::vector<std::string>{kPython, script.string(), std::to_string(port), mode,
                                                                 (dir / "received").string(), std::to_string(delay_ms)},
                                        port, dir / ("server-" + mode + ".log"));
}

inline std::unique_ptr<SmtpServer> scripted_server(const ScratchDir& dir, int port, const std::string& mode,
                                                   int delay_ms = 0) {
    return scripted_server(dir.path(), port, mode, delay_ms);
}

// Messages in a directory (Maildir new/ or the scripted server's store), by file name.
inline std::vector<std::string> messages_in(const fs::path& dir) {
    std::map<std::string, std::string> by_name;
    if (fs::exists(dir)) {
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.is_regular_file() && entry.path().extension() != ".tmp")
                by_name[entry.path().filename().string()] = read_text(entry.path());
    }
    std::vector<std::string> texts;
    for (auto& [name, text] : by_name) texts.push_back(std::move(text));
    return texts;
}

}  // namespace outreach::test
