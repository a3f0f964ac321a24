// Delivery: RFC 5322 messages (GMime, checked again by Python's strict parser),
// the exactly-once Maildir channel, the stdout preview and the letter templates.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "delivery/channel.hpp"
#include "delivery/message.hpp"
#include "delivery/template_renderer.hpp"

namespace fs = std::filesystem;
using namespace outreach;

namespace {

// 9 May 2007 13:00:00 UTC (09:00 in New York).
const Instant invitation_instant{std::chrono::seconds(1178715600)};

Letter civ_letter(const std::string& key = "focus2007/invitation/2007-05-09/CIV/foreign_minister") {
    Letter letter;
    letter.idempotency_key = key;
    letter.scheduled = invitation_instant;
    letter.from_name = "Office of Legal Affairs, Treaty Section";
    letter.from_email = "treaty-section@example.org";
    letter.to_name = "Minister for Foreign Affairs of Côte d'Ivoire";
    letter.to_email = "foreign-minister.civ@example.org";
    letter.subject = "Treaty Event 2007: invitation to Côte d'Ivoire";
    letter.body =
        "Excellency,\n\nI have the honour to invite Côte d'Ivoire to the Treaty Event 2007.\n\n"
        "Please accept, Excellency, the assurances of my highest consideration.\n";
    letter.campaign = "focus2007";
    letter.step = "invitation";
    letter.occurrence = "2007-05-09";
    letter.state = "CIV";
    return letter;
}

std::string header_value(const ParsedMessage& parsed, const std::string& name) {
    const auto found = parsed.headers.find(name);
    return found == parsed.headers.end() ? std::string() : found->second;
}

std::string header_section(const std::string& message) { return message.substr(0, message.find("\n\n")); }

std::size_t longest_line(const std::string& text) {
    std::size_t longest = 0;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) longest = std::max(longest, line.size());
    return longest;
}

class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "outreach-delivery-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void write_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
    return files;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

const char* const python = "/usr/bin/python3";

// Parses the message file with email.policy.strict (which raises on a serious defect)
// and reports every defect found, plus the decoded values to compare.
const char* const strict_parser_script =
    "import sys, json, email.parser, email.policy\n"
    "msg = email.parser.BytesParser(policy=email.policy.strict).parse(open(sys.argv[1], \"rb\"))\n"
    "defects = [str(d) for d in msg.defects]\n"
    "for name, value in msg.items():\n"
    "    defects += [name + \": \" + str(d) for d in value.defects]\n"
    "print(json.dumps({\"defects\": defects,\n"
    "    \"from_name\": msg[\"from\"].addresses[0].display_name,\n"
    "    \"to_name\": msg[\"to\"].addresses[0].display_name,\n"
    "    \"to_email\": msg[\"to\"].addresses[0].addr_spec,\n"
    "    \"subject\": str(msg[\"subject\"]),\n"
    "    \"message_id\": str(msg[\"message-id\"]),\n"
    "    \"date\": msg[\"date\"].datetime.timestamp(),\n"
    "    \"content_type\": msg.get_content_type(),\n"
    "    \"charset\": msg.get_content_charset(),\n"
    "    \"body\": msg.get_content()}))\n";

// nullopt when /usr/bin/python3 is not installed.
std::optional<nlohmann::json> strict_python_parse(const std::string& message) {
    if (::access(python, X_OK) != 0) return std::nullopt;
    TempDir dir;
    const fs::path file = dir.path() / "message.eml";
    write_file(file, message);
    const std::string command =
        std::string(python) + " -c '" + strict_parser_script + "' '" + file.string() + "' 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    std::array<char, 4096> buffer{};
    while (const std::size_t read = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), read);
    const int status = ::pclose(pipe);
    INFO("python output: " << output);
    REQUIRE(status == 0);
    return nlohmann::json::parse(output);
}

void check_with_strict_python_parser(const Letter& letter, const std::string& message) {
    const auto parsed = strict_python_parse(message);
    if (!parsed) {
        WARN("skipping the strict Python parser check: " << python << " is missing");
        return;
    }
    INFO(message);
    CHECK((*parsed)["defects"].empty());
    CHECK((*parsed)["from_name"].get<std::string>() == letter.from_name);
    CHECK((*parsed)["to_name"].get<std::string>() == letter.to_name);
    CHECK((*parsed)["to_email"].get<std::string>() == letter.to_email);
    CHECK((*parsed)["subject"].get<std::string>() == letter.subject);
    CHECK((*parsed)["message_id"].get<std::string>() == message_id_for(letter.idempotency_key, letter.from_email));
    CHECK((*parsed)["date"].get<double>() == static_cast<double>(letter.scheduled.time_since_epoch().count()));
    CHECK((*parsed)["content_type"].get<std::string>() == "text/plain");
    CHECK((*parsed)["charset"].get<std::string>() == "utf-8");
    CHECK((*parsed)["body"].get<std::string>() == letter.body);
}

}  // namespace

TEST_CASE("a letter to Côte d'Ivoire reads back with its non-ASCII names, subject and body", "[delivery]") {
    const Letter letter = civ_letter();
    const std::string message = build_message(letter);
    INFO(message);

    const ParsedMessage parsed = parse_message(message);
    CHECK(parsed.from_name == letter.from_name);
    CHECK(parsed.from_email == letter.from_email);
    CHECK(parsed.to_name == "Minister for Foreign Affairs of Côte d'Ivoire");
    CHECK(parsed.to_email == letter.to_email);
    CHECK(parsed.subject == letter.subject);
    CHECK(parsed.body == letter.body);
    CHECK(header_value(parsed, "MIME-Version") == "1.0");
    CHECK(header_value(parsed, "Content-Type") == "text/plain; charset=utf-8");
    CHECK(header_value(parsed, "Content-Transfer-Encoding") == "quoted-printable");
    CHECK(header_value(parsed, "X-Outreach-Key") == letter.idempotency_key);
    CHECK(header_value(parsed, "X-Outreach-Campaign") == "focus2007");

    // On the wire the headers are pure ASCII (RFC 2047 words), lines end in LF only
    // and none exceeds RFC 5322's 998 octets.
    const std::string headers = header_section(message);
    CHECK(std::all_of(headers.begin(), headers.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
    CHECK(headers.find("=?UTF-8?") != std::string::npos);
    CHECK(message.find('\r') == std::string::npos);
    CHECK(message.back() == '\n');
    CHECK(longest_line(message) <= 998);

    check_with_strict_python_parser(letter, message);
}

TEST_CASE("the transfer encoding is 7bit only for short ASCII lines", "[delivery]") {
    Letter letter = civ_letter();
    letter.to_name = "Minister for Foreign Affairs of Kenya";
    letter.subject = "Treaty Event 2007";

    SECTION("short ASCII lines stay 7bit") {
        letter.body = "Excellency,\n\nKenya is invited.\n";
        const std::string message = build_message(letter);
        CHECK(header_value(parse_message(message), "Content-Transfer-Encoding") == "7bit");
        CHECK(message.find("Kenya is invited.\n") != std::string::npos);
        check_with_strict_python_parser(letter, message);
    }
    SECTION("a long ASCII line becomes quoted-printable with short lines") {
        letter.body = "Excellency,\n\n" + std::string(1500, 'x') + "\n";
        const std::string message = build_message(letter);
        const ParsedMessage parsed = parse_message(message);
        CHECK(header_value(parsed, "Content-Transfer-Encoding") == "quoted-printable");
        CHECK(parsed.body == letter.body);
        CHECK(longest_line(message) <= 78);
        check_with_strict_python_parser(letter, message);
    }
    SECTION("CRLF in the body is stored as LF") {
        letter.body = "Excellency,\r\n\r\nKenya is invited.\r\n";
        const ParsedMessage parsed = parse_message(build_message(letter));
        CHECK(parsed.body == "Excellency,\n\nKenya is invited.\n");
    }
}

TEST_CASE("Date is the scheduled instant in UTC", "[delivery]") {
    const Letter letter = civ_letter();
    const std::string message = build_message(letter);
    CHECK(("\n" + header_section(message) + "\n").find("\nDate: Wed, 09 May 2007 13:00:00 +0000\n") !=
          std::string::npos);
    const ParsedMessage parsed = parse_message(message);
    REQUIRE(parsed.date.has_value());
    CHECK(*parsed.date == invitation_instant);
}

TEST_CASE("Message-ID is derived from the idempotency key and the sender's domain", "[delivery]") {
    const Letter letter = civ_letter();
    const std::string id = message_id_for(letter.idempotency_key, letter.from_email);
    CHECK(std::regex_match(id, std::regex("<[0-9a-f]{32}@example\\.org>")));
    CHECK(message_id_for(letter.idempotency_key, letter.from_email) == id);
    CHECK(message_id_for(letter.idempotency_key + "x", letter.from_email) != id);
    CHECK(message_id_for("focus2007/invitation/2007-05-09/KEN/foreign_minister", letter.from_email) != id);
    CHECK(message_id_for(letter.idempotency_key, "Treaty@UN.Example.ORG") ==
          id.substr(0, 34) + "un.example.org>");

    // The same letter built twice carries the same Message-ID.
    CHECK(parse_message(build_message(letter)).message_id == id);
    CHECK(parse_message(build_message(letter)).message_id == id);
    CHECK(parse_message(build_message(civ_letter("another/key"))).message_id != id);
}

TEST_CASE("line breaks in header values cannot inject headers", "[delivery]") {
    Letter letter = civ_letter();
    letter.subject = "Invitation\nBcc: someone@example.net";
    const std::string message = build_message(letter);
    CHECK(header_section(message).find("\nBcc:") == std::string::npos);
    CHECK(parse_message(message).headers.count("Bcc") == 0);
}

TEST_CASE("Maildir delivery writes one file per key, exactly once", "[delivery]") {
    TempDir dir;
    const fs::path root = dir.path() / "outbox";
    MaildirChannel channel(root);
    for (const char* sub : {"tmp", "new", "cur"}) {
        struct stat status {};
        REQUIRE(::stat((root / sub).c_str(), &status) == 0);
        CHECK((status.st_mode & 0777) == 0700);
    }

    const Letter letter = civ_letter();
    const std::string name = channel.file_name_for(letter);
    CHECK(std::regex_match(name, std::regex("1178715600\\.K[0-9a-f]{16}\\.outreach")));
    CHECK(channel.file_name_for(civ_letter()) == name);
    CHECK(channel.file_name_for(civ_letter("another/key")) != name);

    const DeliveryResult first = channel.deliver(letter);
    CHECK(first.status == DeliveryResult::Status::Delivered);
    CHECK(first.detail == (root / "new" / name).string());
    CHECK(first.message_id == message_id_for(letter.idempotency_key, letter.from_email));
    REQUIRE(files_in(root / "new").size() == 1);
    CHECK(files_in(root / "tmp").empty());
    struct stat file_status {};
    REQUIRE(::stat((root / "new" / name).c_str(), &file_status) == 0);
    CHECK((file_status.st_mode & 0777) == 0600);
    const std::string stored = read_file(root / "new" / name);
    CHECK(parse_message(stored).to_name == letter.to_name);
    CHECK(parse_message(stored).message_id == first.message_id);

    SECTION("the same key again is already delivered and writes nothing") {
        const DeliveryResult again = channel.deliver(letter);
        CHECK(again.status == DeliveryResult::Status::AlreadyDelivered);
        CHECK(again.detail == (root / "new" / name).string());
        CHECK(files_in(root / "new").size() == 1);
        CHECK(files_in(root / "tmp").empty());
    }
    SECTION("a letter a reader moved to cur/ counts as delivered") {
        fs::rename(root / "new" / name, root / "cur" / (name + ":2,S"));
        // The outbox is listed once when a channel opens it (a new process).
        MaildirChannel reopened(root);
        const DeliveryResult again = reopened.deliver(letter);
        CHECK(again.status == DeliveryResult::Status::AlreadyDelivered);
        CHECK(files_in(root / "new").empty());
        CHECK(files_in(root / "cur").size() == 1);
    }
    SECTION("a file in cur/ whose name only starts like this one's does not count") {
        write_file(root / "cur" / (name + "x:2,S"), "unrelated");
        fs::remove(root / "new" / name);
        MaildirChannel reopened(root);
        CHECK(reopened.deliver(letter).status == DeliveryResult::Status::Delivered);
    }
    SECTION("another key is a second file") {
        const DeliveryResult other = channel.deliver(civ_letter("focus2007/invitation/2007-05-09/KEN/foreign_minister"));
        CHECK(other.status == DeliveryResult::Status::Delivered);
        CHECK(files_in(root / "new").size() == 2);
    }
    SECTION("a second channel on the same outbox (a restart) sees the delivery") {
        MaildirChannel restarted(root);
        CHECK(restarted.deliver(letter).status == DeliveryResult::Status::AlreadyDelivered);
    }
}

TEST_CASE("Maildir delivery to an unusable root is a temporary failure, not an exception", "[delivery]") {
    TempDir dir;
    // A path below a regular file can never be created, whatever the user's privileges.
    write_file(dir.path() / "not-a-directory", "");
    const fs::path root = dir.path() / "not-a-directory" / "outbox";
    MaildirChannel channel(root);
    DeliveryResult result;
    REQUIRE_NOTHROW(result = channel.deliver(civ_letter()));
    CHECK(result.status == DeliveryResult::Status::TemporaryFailure);
    CHECK_THAT(result.detail, Catch::Contains("Not a directory"));
    CHECK_THAT(result.detail, Catch::Contains(dir.path().string()));
}

TEST_CASE("Maildir tmp/ that cannot be written is a temporary failure", "[delivery]") {
    TempDir dir;
    const fs::path root = dir.path() / "outbox";
    MaildirChannel channel(root);
    // Replace tmp/ by a file: creating tmp/<name> fails for root and non-root alike.
    fs::remove(root / "tmp");
    write_file(root / "tmp", "");
    const DeliveryResult result = channel.deliver(civ_letter());
    CHECK(result.status == DeliveryResult::Status::TemporaryFailure);
    CHECK_THAT(result.detail, Catch::Contains("tmp"));
    CHECK(files_in(root / "new").empty());
}

TEST_CASE("the stdout channel prints the whole message and a separator", "[delivery]") {
    std::ostringstream out;
    StdoutChannel channel(out);
    const Letter letter = civ_letter();
    const DeliveryResult result = channel.deliver(letter);
    CHECK(result.status == DeliveryResult::Status::Delivered);
    CHECK(result.message_id == message_id_for(letter.idempotency_key, letter.from_email));
    const std::string printed = out.str();
    const std::string message = build_message(letter);
    REQUIRE(printed.size() > message.size());
    CHECK(printed.substr(0, message.size()) == message);
    CHECK(printed.substr(message.size()) == std::string(72, '=') + "\n");
}

TEST_CASE("templates render plain text with scalars and lists", "[delivery]") {
    TempDir dir;
    write_file(dir.path() / "treaty_event" / "invitation.mustache",
               "Subject: Treaty Event {{year}}: {{state_name}}\n"
               "\n"
               "{{addressee_honorific}},\n"
               "{{#treaties}}- {{.}}\n{{/treaties}}"
               "{{^responses}}No response yet.\n{{/responses}}"
               "{{sender_name}}\n");
    const TemplateRenderer renderer({dir.path()});
    TemplateData data;
    data.scalars = {{"year", "2007"},
                    {"state_name", "Côte d'Ivoire"},
                    {"addressee_honorific", "Excellency"},
                    {"sender_name", "Legal Counsel & Treaty Section <OLA>"}};
    data.lists["treaties"] = {"Rome Statute", "Convention on the Rights of Persons with Disabilities"};
    data.lists["responses"] = {};

    const RenderedTemplate rendered = renderer.render("treaty_event", "invitation", data);
    CHECK(rendered.subject == "Treaty Event 2007: Côte d'Ivoire");
    CHECK(rendered.body ==
          "Excellency,\n"
          "- Rome Statute\n"
          "- Convention on the Rights of Persons with Disabilities\n"
          "No response yet.\n"
          "Legal Counsel & Treaty Section <OLA>\n");

    SECTION("rendering again with other values uses the new values") {
        data.scalars["state_name"] = "Kenya";
        data.lists["treaties"] = {};
        const RenderedTemplate kenya = renderer.render("treaty_event", "invitation", data);
        CHECK(kenya.subject == "Treaty Event 2007: Kenya");
        CHECK(kenya.body == "Excellency,\nNo response yet.\nLegal Counsel & Treaty Section <OLA>\n");
    }
    SECTION("an edited template is read again") {
        write_file(dir.path() / "treaty_event" / "invitation.mustache",
                   "Subject: Reminder to {{state_name}}\n\nStill waiting for {{state_name}}.\n");
        const RenderedTemplate edited = renderer.render("treaty_event", "invitation", data);
        CHECK(edited.subject == "Reminder to Côte d'Ivoire");
        CHECK(edited.body == "Still waiting for Côte d'Ivoire.\n");
    }
    SECTION("check() finds nothing wrong") {
        Diagnostics diagnostics;
        renderer.check("treaty_event", "invitation", diagnostics);
        CHECK(diagnostics.empty());
    }
}

TEST_CASE("templates are searched in order, first hit wins", "[delivery]") {
    TempDir dir;
    write_file(dir.path() / "campaign" / "treaty_event" / "invitation.mustache", "Subject: campaign's\n\nbody\n");
    write_file(dir.path() / "shared" / "treaty_event" / "invitation.mustache", "Subject: shared\n\nbody\n");
    write_file(dir.path() / "shared" / "treaty_event" / "reminder.mustache", "Subject: shared reminder\n\nbody\n");
    const TemplateRenderer renderer({dir.path() / "campaign", dir.path() / "shared"});
    CHECK(renderer.find("treaty_event", "invitation") == dir.path() / "campaign" / "treaty_event" / "invitation.mustache");
    CHECK(renderer.render("treaty_event", "invitation", {}).subject == "campaign's");
    CHECK(renderer.render("treaty_event", "reminder", {}).subject == "shared reminder");
    CHECK(renderer.find("treaty_event", "missing").empty());
}

namespace {

Diagnostic render_error(const TemplateRenderer& renderer, const std::string& name) {
    try {
        renderer.render("treaty_event", name, {});
    } catch (const InputError& error) {
        REQUIRE(error.diagnostics().size() == 1);
        return error.diagnostics().front();
    }
    FAIL("rendering " << name << " did not throw InputError");
    return {};
}

}  // namespace

TEST_CASE("bad templates are reported with file, line and template name", "[delivery]") {
    TempDir dir;
    const fs::path type_dir = dir.path() / "treaty_event";
    const TemplateRenderer renderer({dir.path()});

    SECTION("no Subject line") {
        write_file(type_dir / "nosubject.mustache", "Excellency,\n\nbody\n");
        const Diagnostic d = render_error(renderer, "nosubject");
        CHECK(d.file == type_dir / "nosubject.mustache");
        CHECK(d.line == 1);
        CHECK(d.field == "nosubject");
        CHECK_THAT(d.message, Catch::Contains("Subject:"));
    }
    SECTION("no blank line after the Subject") {
        write_file(type_dir / "noblank.mustache", "Subject: hello\nExcellency,\n");
        const Diagnostic d = render_error(renderer, "noblank");
        CHECK(d.file == type_dir / "noblank.mustache");
        CHECK(d.line == 2);
        CHECK(d.field == "noblank");
    }
    SECTION("mustache syntax error in the body") {
        write_file(type_dir / "unclosed.mustache", "Subject: hello\n\nExcellency,\n  {{#treaties}}- {{.}}\n");
        const Diagnostic d = render_error(renderer, "unclosed");
        CHECK(d.file == type_dir / "unclosed.mustache");
        CHECK(d.line == 4);
        CHECK(d.column == 3);
        CHECK(d.field == "unclosed");
        CHECK_THAT(d.message, Catch::Contains("Unclosed section") && Catch::Contains("treaties"));
    }
    SECTION("mustache syntax error in the subject") {
        write_file(type_dir / "badsubject.mustache", "Subject: Event {{year\n\nbody\n");
        const Diagnostic d = render_error(renderer, "badsubject");
        CHECK(d.line == 1);
        CHECK(d.column == 16);
        CHECK_THAT(d.message, Catch::Contains("Unclosed tag"));
    }
    SECTION("missing template lists every path searched") {
        const TemplateRenderer two_dirs({dir.path() / "first", dir.path() / "second"});
        Diagnostic d;
        try {
            two_dirs.render("treaty_event", "absent", {});
            FAIL("no InputError for a missing template");
        } catch (const InputError& error) {
            REQUIRE(error.diagnostics().size() == 1);
            d = error.diagnostics().front();
        }
        CHECK(d.field == "absent");
        CHECK_THAT(d.message, Catch::Contains((dir.path() / "first" / "treaty_event" / "absent.mustache").string()));
        CHECK_THAT(d.message, Catch::Contains((dir.path() / "second" / "treaty_event" / "absent.mustache").string()));
    }
    SECTION("check() collects the problem instead of throwing") {
        write_file(type_dir / "nosubject.mustache", "Excellency,\n");
        Diagnostics diagnostics;
        REQUIRE_NOTHROW(renderer.check("treaty_event", "nosubject", diagnostics));
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics.front().line == 1);
        renderer.check("treaty_event", "absent", diagnostics);
        CHECK(diagnostics.size() == 2);
    }
}
