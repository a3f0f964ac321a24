// Hostile and careless input files: sizes and nesting bounded before any parser
// sees them, FIFOs never opened for a blocking read, syntax errors named by
// their key, e-mail addresses that are exactly one addr-spec.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "config/config.hpp"
#include "config/email_address.hpp"
#include "config/input_limits.hpp"
#include "roster/roster_loader.hpp"
#include "test_support.hpp"

using namespace outreach;
using outreach::test::ScratchDir;
namespace fs = std::filesystem;

namespace {

void write_bytes(const fs::path& file, const std::string& bytes) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << bytes;
}

std::string dump(const Diagnostics& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) out += d.format() + "\n";
    return out;
}

// Runs `body` in a child process with a deadline: a parser that crashes or hangs
// must not take the test run with it. The child's exit status: 0 when `body`
// returned true, 1 false, 2 an exception, 128+signal when killed (SIGALRM: the
// deadline passed, SIGSEGV: a crash).
int in_child(const std::function<bool()>& body, unsigned seconds = 20) {
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

std::string dotted_key(std::size_t parts) {
    std::string key = "a";
    for (std::size_t i = 1; i < parts; ++i) key += ".a";
    return key;
}

struct ConfigDir {
    ScratchDir dir;
    fs::path global = dir / "outreach.toml";
    ConfigDir() { write_bytes(global, "campaigns = \"campaigns\"\n"); fs::create_directories(dir / "campaigns"); }
    fs::path campaign(const std::string& name, const std::string& text) {
        const fs::path file = dir / "campaigns" / name;
        write_bytes(file, text);
        return file;
    }
};

}  // namespace

TEST_CASE("limits: a dotted key or table header with 50,000 parts is refused, not parsed", "[limits]") {
    ConfigDir config;
    const std::string key = dotted_key(50000);
    const fs::path as_key = config.campaign("a.toml", "id = \"a\"\ntype = \"t\"\n" + key + " = 1\n");
    const fs::path as_header = config.campaign("b.toml", "id = \"b\"\ntype = \"t\"\n[" + key + "]\n");
    const fs::path as_inline = config.campaign("c.toml", "id = \"c\"\ntype = \"t\"\nx = { " + key + " = 1 }\n");

    // toml++ overflows its stack on these (exit 139) unless they are refused first.
    const int status = in_child([&] {
        Diagnostics found;
        load_config(config.global, found);
        return found.size() == 3;
    });
    REQUIRE(status == 0);  // 139 (SIGSEGV) before the shape check existed

    Diagnostics diagnostics;
    load_config(config.global, diagnostics);
    INFO(dump(diagnostics));
    for (const fs::path& file : {as_key, as_header, as_inline}) {
        const auto it = std::find_if(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) { return d.file == file; });
        REQUIRE(it != diagnostics.end());
        CHECK(it->line == 3);
        CHECK_THAT(it->message, Catch::Contains("more than 32 dotted parts"));
    }
    // A key of 32 parts is fine.
    Diagnostics shape;
    CHECK(check_toml_shape(dotted_key(32) + " = 1\n", "x.toml", shape));
    CHECK_FALSE(check_toml_shape(dotted_key(33) + " = 1\n", "x.toml", shape));
}

TEST_CASE("limits: nesting of tables, arrays and inline tables is bounded", "[limits]") {
    Diagnostics diagnostics;
    std::string arrays = "x = " + std::string(65, '[') + std::string(65, ']') + "\n";
    CHECK_FALSE(check_toml_shape(arrays, "x.toml", diagnostics));
    std::string inline_tables = "x = ";
    for (int i = 0; i < 70; ++i) inline_tables += "{ a = ";
    inline_tables += "1" + std::string(70, '}') + "\n";
    CHECK_FALSE(check_toml_shape(inline_tables, "x.toml", diagnostics));
    // A header 20 deep plus a key 20 deep plus inline tables 30 deep: 70 levels.
    CHECK_FALSE(check_toml_shape("[" + dotted_key(20) + "]\n" + dotted_key(20) + " = " + std::string(30, '[') +
                                     std::string(30, ']') + "\n",
                                 "x.toml", diagnostics));
    REQUIRE(diagnostics.size() == 3);
    for (const auto& d : diagnostics) CHECK_THAT(d.message, Catch::Contains("nested more than 64 deep"));
    CHECK(diagnostics[0].line == 1);

    // What looks like structure inside strings and comments is not structure.
    Diagnostics none;
    CHECK(check_toml_shape("a = \"" + dotted_key(100) + "[[[[\"\n# " + std::string(100, '[') + "\nb = '''\n" +
                               std::string(100, '{') + "\n'''\nc = \"\"\"x\\\"\"\"\"\n[t]\nd = [1, [2, [3]], {e = 1}]\n",
                           "x.toml", none));
    CHECK(none.empty());
}

TEST_CASE("limits: files larger than the limits are refused with the file and the limit named", "[limits]") {
    ConfigDir config;
    // 17 MiB of comments: valid TOML, but no config file needs to be that big.
    std::string big = "id = \"a\"\ntype = \"t\"\n";
    const std::string comment = "# " + std::string(1022, 'x') + "\n";
    while (big.size() <= InputLimits::kConfigBytes) big += comment;
    const fs::path campaign = config.campaign("a.toml", big);
    Diagnostics diagnostics;
    const Config loaded = load_config(config.global, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].file == campaign);
    CHECK_THAT(diagnostics[0].message, Catch::Contains("more than the limit of 16 MiB"));
    CHECK(loaded.campaigns.empty());

    const fs::path roster = config.dir / "roster.toml";
    write_bytes(roster, big);
    Diagnostics roster_diagnostics;
    CHECK(load_roster(roster, roster_diagnostics).size() == 0);
    REQUIRE(roster_diagnostics.size() == 1);
    CHECK(roster_diagnostics[0].file == roster);
    CHECK_THAT(roster_diagnostics[0].message, Catch::Contains("roster is") && Catch::Contains("limit of 16 MiB"));
}

TEST_CASE("limits: a FIFO in place of outreach.toml is refused without blocking", "[limits]") {
    ScratchDir dir;
    const fs::path fifo = dir / "outreach.toml";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // Opening a FIFO for reading waits for a writer: the child would hang until the deadline.
    const int status = in_child(
        [&] {
            Diagnostics diagnostics;
            load_config(fifo, diagnostics);
            return diagnostics.size() == 1 && diagnostics[0].message.find("not a regular file") != std::string::npos;
        },
        5);
    CHECK(status == 0);
}

TEST_CASE("limits: an unquoted date is reported against its key, with what to write", "[limits]") {
    ConfigDir config;
    const fs::path campaign =
        config.campaign("a.toml", "id = \"a\"\ntype = \"t\"\n[params]\ntitle = \"x\"\nletter_date = 12/05/2008\n");
    Diagnostics diagnostics;
    load_config(config.global, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.size() == 1);
    const Diagnostic& d = diagnostics[0];
    CHECK(d.file == campaign);
    CHECK(d.line == 5);
    CHECK(d.field == "params.letter_date");
    CHECK_THAT(d.message, Catch::Contains("not a valid TOML value '12/05/2008'") &&
                              Catch::Contains("write dates as YYYY-MM-DD") && Catch::Contains("2008-12-05") &&
                              Catch::Contains("2008-05-12"));

    // Unquoted text gets the quotes it needs; a day above 12 leaves one reading.
    const fs::path other = config.campaign("b.toml", "id = \"b\"\ntype = \"t\"\ntimezone = America/New_York\n");
    const fs::path day = config.campaign("c.toml", "id = \"c\"\ntype = \"t\"\n[params]\nletter_date = 25/05/2008\n");
    Diagnostics more;
    load_config(config.global, more);
    INFO(dump(more));
    const auto quoted = std::find_if(more.begin(), more.end(), [&](const Diagnostic& x) { return x.file == other; });
    REQUIRE(quoted != more.end());
    CHECK(quoted->field == "timezone");
    CHECK_THAT(quoted->message, Catch::Contains("\"America/New_York\""));
    const auto single = std::find_if(more.begin(), more.end(), [&](const Diagnostic& x) { return x.file == day; });
    REQUIRE(single != more.end());
    CHECK_THAT(single->message, Catch::Contains("2008-05-25 (25 May 2008)") && !Catch::Contains(" or "));
}

TEST_CASE("limits: toml_value_at names the key under its table, arrays of tables by index", "[limits]") {
    const std::string text = "[[state]]\ncode = \"A\"\n[[state]]\ncode = \"B\"\n[[state.addressee]]\nemail = x\n";
    const auto at = toml_value_at(text, 6, 9);
    REQUIRE(at);
    CHECK(at->key == "state[2].addressee[1].email");
    CHECK(at->raw == "x");
    CHECK_FALSE(toml_value_at(text, 5, 1));  // a table header is not a value
}

TEST_CASE("e-mail: exactly one addr-spec, nothing that could become a second recipient", "[limits][email]") {
    for (const char* good : {"fm@example.org", "foreign-minister.civ@example.org", "a+b@mail.example.org",
                             "o'brien@example.ie", "x_y@sub-domain.example.org"}) {
        INFO(good);
        CHECK(is_email_address(good));
    }
    for (const char* bad : {"x,evil@attacker.test", "fm@example.org>,<evil@attacker.test", "fm@example.org>",
                            "<fm@example.org>", "a b@example.org", "fm@example.org\r\nBcc: evil@attacker.test",
                            "fm@example.org\n", "\"quoted\"@example.org", "a@[192.0.2.1]", "a@localhost", "a@b@c.org",
                            "@example.org", "a@", "a..b@example.org", ".a@example.org", "a@-x.example.org",
                            "a@example..org", "Minister <fm@example.org>", "fm@exämple.org", "fm;x@example.org"}) {
        INFO(bad);
        CHECK_FALSE(is_email_address(bad));
    }
    CHECK(email_address_problem("x,evil@attacker.test").find("','") != std::string::npos);
}

TEST_CASE("e-mail: roster addresses that are not one addr-spec are errors naming file, line and field", "[limits][email]") {
    ScratchDir dir;
    const std::string head = "[[state]]\ncode = \"CIV\"\nname = \"Côte d'Ivoire\"\n\n[[state.addressee]]\n"
                             "role = \"foreign_minister\"\nemail = ";
    for (const std::string& email : {std::string("\"x,evil@attacker.test\""), std::string("\"fm@example.org>,<evil\""),
                                     std::string("\"fm@example.org\\r\\nBcc: evil@attacker.test\""),
                                     std::string("'\"fm\"@example.org'"), std::string("\"fm @example.org\"")}) {
        INFO(email);
        const fs::path file = dir / "roster.toml";
        write_bytes(file, head + email + "\n");
        Diagnostics diagnostics;
        const Roster roster = load_roster(file, diagnostics);
        INFO(dump(diagnostics));
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics[0].file == file);
        CHECK(diagnostics[0].line == 7);
        CHECK(diagnostics[0].column == 9);
        CHECK(diagnostics[0].field == "state[CIV].addressee[1].email");
        CHECK_THAT(diagnostics[0].message, Catch::Contains("not one e-mail address"));
        CHECK(roster.size() == 0);  // the State with the bad address is not used
    }
}

TEST_CASE("e-mail: a [sender] address with a second recipient in it is an error", "[limits][email]") {
    ConfigDir config;
    write_bytes(config.dir / "roster.toml", "");
    const fs::path campaign = config.campaign(
        "a.toml", "id = \"a\"\ntype = \"t\"\n[roster]\nfile = \"../roster.toml\"\n[sender]\n"
                  "email = \"treaty@example.org,evil@attacker.test\"\n");
    Diagnostics diagnostics;
    const Config loaded = load_config(config.global, diagnostics);
    INFO(dump(diagnostics));
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].file == campaign);
    CHECK(diagnostics[0].field == "sender.email");
    CHECK(diagnostics[0].line == 6);
    REQUIRE(loaded.campaigns.size() == 1);
    CHECK(loaded.campaigns[0].config_errors == 1);  // so that load_runtime leaves it out
}

TEST_CASE("utf-8: the validator refuses overlong forms, surrogates and truncated sequences", "[limits]") {
    CHECK(is_valid_utf8("Côte d'Ivoire — 日本"));
    std::size_t bad = 0;
    CHECK_FALSE(is_valid_utf8("ab\xE9z", &bad));
    CHECK(bad == 2);
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
    CHECK_FALSE(is_valid_utf8("\xE2\x82"));
}
