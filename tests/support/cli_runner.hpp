#pragma once
// Runs the built `outreach` executable (compile definition OUTREACH_CLI) the way
// an operator's shell would, outside any systemd context.
#include <array>
#include <cstdio>
#include <stdexcept>
#include <string>

#include <sys/wait.h>

namespace outreach::test {

struct CliResult {
    int exit_code;
    std::string output;
};

// `merge_stderr`: false keeps stdout alone (e.g. JSON output) and discards stderr.
inline CliResult run_outreach(const std::string& args, bool merge_stderr = true) {
    const std::string command = "env -u INVOCATION_ID -u JOURNAL_STREAM -u NOTIFY_SOCKET " +
                                std::string(OUTREACH_CLI) + " " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null");
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot start: " + command);
    std::string out;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace outreach::test
