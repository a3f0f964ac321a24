#include "config/toml_support.hpp"
#include "config/config.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <system_error>

#include <date/tz.h>

#include "config/email_address.hpp"
#include "config/input_limits.hpp"
#include "config/param_validation.hpp"
#include "outreach/language.hpp"

namespace outreach {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kGlobalKeys = {"timezone", "journal",    "campaigns", "templates",
                                              "plugin_dirs", "sender", "delivery", "calendar"};
const std::vector<std::string> kSenderKeys = {"name", "email", "staff_email"};
const std::vector<std::string> kDeliveryKeys = {"channel", "outbox", "smtp"};
const std::vector<std::string> kChannels = {"maildir", "stdout", "smtp"};
const std::vector<std::string> kSmtpKeys = {"host",          "port",         "security",       "username",
                                            "password_file", "password_env", "timeout_seconds",
                                            "ca_file"};
const std::vector<std::string> kSmtpSecurity = {"starttls", "tls", "none"};
const std::vector<std::string> kCampaignKeys = {"id",        "type",   "enabled", "timezone", "addressees",
                                                "templates", "roster", "sender",  "params", "steps",
                                                "approval", "approval_lead", "language", "languages",
                                                "attachments", "max_attachment_bytes", "pdf", "calendar"};
// Keys of a [steps.<step id>] table (StepSettings).
const std::vector<std::string> kStepKeys = {"enabled", "approval", "approval_lead", "attachments", "roll"};
const std::vector<std::string> kApprovalValues = {"required", "none"};
const std::vector<std::string> kRollRules = {"forward", "back", "none"};
const std::vector<std::string> kRosterKeys = {"file", "status", "groups", "include", "exclude"};
const std::vector<std::string> kAddresseeRoles = {"head_of_state", "foreign_minister", "permanent_representative"};
const std::vector<std::string> kStateStatuses = {"member", "observer"};

bool contains(const std::vector<std::string>& items, const std::string& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

std::string join_quoted(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += i + 1 == items.size() ? " or " : ", ";
        out += "'" + items[i] + "'";
    }
    return out;
}

std::string format_position(const fs::path& file, const toml::source_region& where) {
    return file.string() + ":" + std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column);
}

fs::path resolve(const fs::path& base_dir, const std::string& value) {
    return (base_dir / fs::path(value)).lexically_normal();
}

bool is_valid_campaign_id(const std::string& id) {
    const auto allowed = [](char c, bool first) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!first && (c == '_' || c == '-'));
    };
    if (id.empty() || !allowed(id.front(), true)) return false;
    return std::all_of(id.begin() + 1, id.end(), [&](char c) { return allowed(c, false); });
}

bool is_alpha3_code(const std::string& code) {
    return code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::vector<std::string> known_zone_names() {
    std::vector<std::string> names;
    try {
        const auto& db = date::get_tzdb();
        // With the system tz database (USE_OS_TZDB) links are listed as zones too.
        for (const auto& zone : db.zones) names.emplace_back(zone.name());
    } catch (const std::exception&) {
        // No tz database: the unknown-zone message simply carries no hint.
    }
    return names;
}

// Reads one TOML file and reports every problem in it, with its position.
class FileReader {
public:
    FileReader(fs::path file, Diagnostics& out) : file_(std::move(file)), out_(out) {}

    const fs::path& file() const { return file_; }
    fs::path directory() const { return file_.parent_path(); }

    std::optional<toml::table> parse() {
        std::error_code ec;
        if (!fs::exists(file_, ec)) {
            report_at(0, 0, "", "file not found");
            return std::nullopt;
        }
        // Size and nesting are checked before toml++ sees the text; a syntax
        // error inside a value is reported against its key.
        return parse_toml_file(file_, InputLimits::kConfigBytes, "config file", out_);
    }

    void report(const toml::source_region& where, std::string field, std::string message) {
        report_at(static_cast<int>(where.begin.line), static_cast<int>(where.begin.column), std::move(field),
                  std::move(message));
    }

    void report_at(int line, int column, std::string field, std::string message) {
        out_.push_back(Diagnostic{file_, line, column, std::move(field), std::move(message)});
    }

    void check_known_keys(const toml::table& table, const std::vector<std::string>& known,
                          const std::string& prefix) {
        for (const auto& [key, value] : table) {
            const std::string name(key.str());
            if (contains(known, name)) continue;
            const std::string hint = closest_match(name, known);
            const std::string message = hint.empty() ? "unknown key '" + name + "' (expected " + join_quoted(known) + ")"
                                                     : "unknown key '" + name + "' (did you mean '" + hint + "'?)";
            report(key.source(), dotted_field(prefix, name), message);
        }
    }

    void wrong_type(const toml::node& node, const std::string& field, const std::string& expected) {
        report(node.source(), field, "expected " + expected + ", found " + describe_toml_type(node.type()));
    }

    std::optional<std::string> string_at(const toml::table& table, std::string_view key, const std::string& field) {
        const toml::node* node = table.get(key);
        if (!node) return std::nullopt;
        if (const auto* value = node->as_string()) return value->get();
        wrong_type(*node, field, "a string");
        return std::nullopt;
    }

    std::optional<bool> boolean_at(const toml::table& table, std::string_view key, const std::string& field) {
        const toml::node* node = table.get(key);
        if (!node) return std::nullopt;
        if (const auto* value = node->as_boolean()) return value->get();
        wrong_type(*node, field, "a boolean (true or false)");
        return std::nullopt;
    }

    std::optional<std::int64_t> integer_at(const toml::table& table, std::string_view key, const std::string& field) {
        const toml::node* node = table.get(key);
        if (!node) return std::nullopt;
        if (const auto* value = node->as_integer()) return value->get();
        wrong_type(*node, field, "an integer");
        return std::nullopt;
    }

    const toml::table* table_at(const toml::table& table, std::string_view key, const std::string& field) {
        const toml::node* node = table.get(key);
        if (!node) return nullptr;
        if (const auto* value = node->as_table()) return value;
        wrong_type(*node, field, "a table");
        return nullptr;
    }

    // Each string element with its node, so callers can check values at their own position.
    std::optional<std::vector<std::pair<std::string, const toml::node*>>> string_list_at(const toml::table& table,
                                                                                         std::string_view key,
                                                                                         const std::string& field) {
        const toml::node* node = table.get(key);
        if (!node) return std::nullopt;
        const auto* array = node->as_array();
        if (!array) {
            wrong_type(*node, field, "a list of strings");
            return std::nullopt;
        }
        std::vector<std::pair<std::string, const toml::node*>> items;
        bool all_strings = true;
        for (std::size_t i = 0; i < array->size(); ++i) {
            const toml::node& element = (*array)[i];
            if (const auto* value = element.as_string()) {
                items.emplace_back(value->get(), &element);
            } else {
                wrong_type(element, indexed_field(field, i), "a string");
                all_strings = false;
            }
        }
        if (!all_strings) return std::nullopt;
        return items;
    }

    std::optional<std::string> timezone_at(const toml::table& table, const std::string& field) {
        auto zone = string_at(table, "timezone", field);
        if (!zone) return std::nullopt;
        if (is_known_timezone(*zone)) return zone;
        const std::string hint = closest_match(*zone, known_zone_names());
        report(table.get("timezone")->source(), field,
               "unknown time zone '" + *zone + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
        return std::nullopt;
    }

    // `calendar = "..."`: a business calendar file that must exist (its contents
    // are read by load_runtime, once per file).
    std::optional<CalendarSetting> calendar_at(const toml::table& table) {
        auto name = string_at(table, "calendar", "calendar");
        if (!name) return std::nullopt;
        const toml::source_region& where = table.get("calendar")->source();
        const fs::path file = (directory() / fs::path(*name)).lexically_normal();
        std::error_code ec;
        if (name->empty()) {
            report(where, "calendar", "the calendar file name is empty (remove the key for weekends only)");
        } else if (!fs::exists(file, ec)) {
            report(where, "calendar", "calendar file '" + file.string() + "' does not exist");
        } else if (!fs::is_regular_file(file, ec)) {
            report(where, "calendar", "calendar file '" + file.string() + "' is not a regular file");
        } else {
            return CalendarSetting{file, file_,
                                   SourcePosition{static_cast<int>(where.begin.line), static_cast<int>(where.begin.column)}};
        }
        return std::nullopt;
    }

    // Overrides only the keys present in [sender].
    void read_sender(const toml::table& parent, const std::string& prefix, SenderConfig& sender) {
        const std::string field = dotted_field(prefix, "sender");
        const toml::table* table = table_at(parent, "sender", field);
        if (!table) return;
        check_known_keys(*table, kSenderKeys, field);
        if (auto name = string_at(*table, "name", dotted_field(field, "name"))) sender.name = *name;
        read_email(*table, "email", dotted_field(field, "email"), sender.email);
        read_email(*table, "staff_email", dotted_field(field, "staff_email"), sender.staff_email);
    }

private:
    void read_email(const toml::table& table, std::string_view key, const std::string& field, std::string& target) {
        auto email = string_at(table, key, field);
        if (!email) return;
        if (const std::string problem = email_address_problem(*email); problem.empty()) {
            target = *email;
        } else {
            report(table.get(key)->source(), field, "not an e-mail address: '" + *email + "' (" + problem + ")");
        }
    }

    fs::path file_;
    Diagnostics& out_;
};

// Host names and address literals as an SMTP URL can carry them.
bool is_plausible_host(const std::string& host) {
    return !host.empty() && std::none_of(host.begin(), host.end(), [](char c) {
        return c <= ' ' || c >= 127 || std::string_view("/?#@\\\"").find(c) != std::string_view::npos;
    });
}

bool is_environment_name(const std::string& name) {
    const auto allowed = [](char c, bool first) {
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
    };
    if (name.empty() || !allowed(name.front(), true)) return false;
    return std::all_of(name.begin() + 1, name.end(), [&](char c) { return allowed(c, false); });
}

// [delivery.smtp]. The password itself is read by the channel when it starts:
// the file may be readable only by the user the daemon runs as.
void read_smtp(FileReader& reader, const toml::table& delivery, const std::string& channel, SmtpConfig& smtp) {
    const std::string prefix = "delivery.smtp";
    const toml::table* table = reader.table_at(delivery, "smtp", prefix);
    if (!table) {
        if (channel == "smtp" && !delivery.get("smtp"))
            reader.report(delivery.source(), dotted_field(prefix, "host"),
                          "channel = \"smtp\" needs a server: add [delivery.smtp] with host = \"...\"");
        return;
    }
    reader.check_known_keys(*table, kSmtpKeys, prefix);
    const auto field = [&](std::string_view key) { return dotted_field(prefix, key); };
    const auto where = [&](std::string_view key) { return table->get(key)->source(); };

    if (auto host = reader.string_at(*table, "host", field("host"))) {
        if (is_plausible_host(*host)) {
            smtp.host = *host;
        } else {
            reader.report(where("host"), field("host"),
                          "not a host name or address: '" + *host + "' (e.g. \"smtp.example.org\" or \"192.0.2.25\")");
        }
    } else if (!table->get("host") && channel == "smtp") {
        reader.report(table->source(), field("host"),
                      "missing required key 'host' in [delivery.smtp] (channel = \"smtp\" needs a server)");
    }

    if (auto security = reader.string_at(*table, "security", field("security"))) {
        if (contains(kSmtpSecurity, *security)) {
            smtp.security = *security;
        } else {
            const std::string hint = closest_match(*security, kSmtpSecurity);
            reader.report(where("security"), field("security"),
                          "unknown security '" + *security + "' (" +
                              (hint.empty() ? "expected " + join_quoted(kSmtpSecurity) : "did you mean '" + hint + "'?") +
                              ")");
        }
    }

    if (auto port = reader.integer_at(*table, "port", field("port"))) {
        if (*port >= 1 && *port <= 65535) {
            smtp.port = static_cast<int>(*port);
        } else {
            reader.report(where("port"), field("port"),
                          "port " + std::to_string(*port) + " is out of range (1 to 65535)");
        }
    } else if (!table->get("port") && smtp.security == "tls") {
        smtp.port = 465;  // implicit TLS (smtps) has its own well-known port
    }

    if (auto timeout = reader.integer_at(*table, "timeout_seconds", field("timeout_seconds"))) {
        if (*timeout >= 1 && *timeout <= 3600) {
            smtp.timeout_seconds = static_cast<int>(*timeout);
        } else {
            reader.report(where("timeout_seconds"), field("timeout_seconds"),
                          "timeout of " + std::to_string(*timeout) + " seconds is out of range (1 to 3600)");
        }
    }

    if (auto username = reader.string_at(*table, "username", field("username"))) smtp.username = *username;
    if (auto file = reader.string_at(*table, "password_file", field("password_file"))) {
        if (file->empty()) {
            reader.report(where("password_file"), field("password_file"), "the password file name is empty");
        } else {
            smtp.password_file = resolve(reader.directory(), *file);
        }
    }
    // The CA file is public data, so unlike the password it is checked here,
    // where the diagnostic can point at the setting.
    if (auto file = reader.string_at(*table, "ca_file", field("ca_file"))) {
        std::error_code ec;
        if (file->empty()) {
            reader.report(where("ca_file"), field("ca_file"),
                          "the CA file name is empty (remove ca_file to trust the system's CA certificates)");
        } else if (const fs::path ca_file = resolve(reader.directory(), *file); !fs::exists(ca_file, ec)) {
            reader.report(where("ca_file"), field("ca_file"), "CA file '" + ca_file.string() + "' does not exist");
        } else if (!fs::is_regular_file(ca_file, ec)) {
            reader.report(where("ca_file"), field("ca_file"), "CA file '" + ca_file.string() + "' is not a regular file");
        } else {
            smtp.ca_file = ca_file;
        }
    }
    if (auto variable = reader.string_at(*table, "password_env", field("password_env"))) {
        if (is_environment_name(*variable)) {
            smtp.password_env = *variable;
        } else {
            reader.report(where("password_env"), field("password_env"),
                          "'" + *variable + "' is not an environment variable name (letters, digits and '_')");
        }
    }

    const bool has_file = table->get("password_file") != nullptr;
    const bool has_env = table->get("password_env") != nullptr;
    if (has_file && has_env) {
        reader.report(where("password_env"), field("password_env"),
                      "password_file and password_env are mutually exclusive: give the password one way");
    }
    if ((has_file || has_env) && !table->get("username")) {
        reader.report(where(has_file ? "password_file" : "password_env"), field("username"),
                      "a password is configured but no username: add username = \"...\"");
    }
    if (table->get("username") && !has_file && !has_env) {
        reader.report(where("username"), field("username"),
                      "username is set but no password: add password_file = \"...\" or password_env = \"...\"");
    }
    if (table->get("username") && smtp.username.empty() && table->get("username")->is_string()) {
        reader.report(where("username"), field("username"), "the username is empty (remove it for no authentication)");
    }
}

GlobalConfig read_global(FileReader& reader, const toml::table& root, const toml::node*& campaigns_node) {
    GlobalConfig global;
    global.file = reader.file();
    const fs::path base = reader.directory();
    reader.check_known_keys(root, kGlobalKeys, "");

    if (auto zone = reader.timezone_at(root, "timezone")) global.timezone = *zone;
    global.journal = resolve(base, reader.string_at(root, "journal", "journal").value_or("../var/journal.sqlite"));
    global.campaigns_dir = resolve(base, reader.string_at(root, "campaigns", "campaigns").value_or("campaigns"));
    global.templates_dir = resolve(base, reader.string_at(root, "templates", "templates").value_or("templates"));
    campaigns_node = root.get("campaigns");

    if (auto dirs = reader.string_list_at(root, "plugin_dirs", "plugin_dirs")) {
        for (const auto& [dir, node] : *dirs) global.plugin_dirs.push_back(resolve(base, dir));
    }

    reader.read_sender(root, "", global.sender);
    global.calendar = reader.calendar_at(root);

    global.delivery.outbox = resolve(base, "../var/outbox");
    if (const toml::table* delivery = reader.table_at(root, "delivery", "delivery")) {
        reader.check_known_keys(*delivery, kDeliveryKeys, "delivery");
        if (auto channel = reader.string_at(*delivery, "channel", "delivery.channel")) {
            if (contains(kChannels, *channel)) {
                global.delivery.channel = *channel;
            } else {
                reader.report(delivery->get("channel")->source(), "delivery.channel",
                              "unknown channel '" + *channel + "' (expected " + join_quoted(kChannels) + ")");
            }
        }
        if (auto outbox = reader.string_at(*delivery, "outbox", "delivery.outbox")) {
            global.delivery.outbox = resolve(base, *outbox);
        }
        read_smtp(reader, *delivery, global.delivery.channel, global.delivery.smtp);
    }
    return global;
}

// Where a filter entry was written, for the checks that need the roster (check_roster_filter).
void remember(CampaignConfig& campaign, const std::string& field, const std::string& value, const toml::node& node) {
    campaign.filter_entries.push_back(
        {field, value,
         SourcePosition{static_cast<int>(node.source().begin.line), static_cast<int>(node.source().begin.column)}});
}

void read_roster_section(FileReader& reader, const toml::table& root, CampaignConfig& campaign) {
    const toml::table* roster = reader.table_at(root, "roster", "roster");
    if (!roster) {
        if (!root.get("roster")) {
            reader.report(root.source(), "roster.file", "missing required key: the campaign needs [roster] with file = \"...\"");
        }
        return;
    }
    reader.check_known_keys(*roster, kRosterKeys, "roster");

    if (auto file = reader.string_at(*roster, "file", "roster.file")) {
        campaign.roster = resolve(reader.directory(), *file);
        std::error_code ec;
        if (!fs::exists(campaign.roster, ec)) {
            reader.report(roster->get("file")->source(), "roster.file",
                          "roster file '" + campaign.roster.string() + "' does not exist");
        } else if (fs::is_directory(campaign.roster, ec)) {
            reader.report(roster->get("file")->source(), "roster.file",
                          "roster file '" + campaign.roster.string() + "' is a directory");
        }
    } else if (!roster->get("file")) {
        reader.report(roster->source(), "roster.file", "missing required key 'file' in [roster]");
    }

    if (auto statuses = reader.string_list_at(*roster, "status", "roster.status")) {
        for (std::size_t i = 0; i < statuses->size(); ++i) {
            const auto& [status, node] = (*statuses)[i];
            if (contains(kStateStatuses, status)) {
                campaign.filter.status.push_back(status);
            } else {
                const std::string hint = closest_match(status, kStateStatuses);
                reader.report(node->source(), indexed_field("roster.status", i),
                              "unknown status '" + status + "' (" +
                                  (hint.empty() ? std::string() : "did you mean '" + hint + "'? ") + "expected " +
                                  join_quoted(kStateStatuses) + ")");
            }
        }
    }
    if (auto groups = reader.string_list_at(*roster, "groups", "roster.groups")) {
        for (std::size_t i = 0; i < groups->size(); ++i) {
            const auto& [group, node] = (*groups)[i];
            campaign.filter.groups.push_back(group);
            remember(campaign, indexed_field("roster.groups", i), group, *node);
        }
    }
    const auto read_codes = [&](std::string_view key, std::vector<std::string>& target) {
        const std::string field = dotted_field("roster", key);
        auto codes = reader.string_list_at(*roster, key, field);
        if (!codes) return;
        for (std::size_t i = 0; i < codes->size(); ++i) {
            const auto& [code, node] = (*codes)[i];
            if (is_alpha3_code(code)) {
                target.push_back(code);
                remember(campaign, indexed_field(field, i), code, *node);
            } else {
                reader.report(node->source(), indexed_field(field, i),
                              "'" + code + "' is not an ISO 3166-1 alpha-3 code (three capital letters, e.g. \"CIV\")");
            }
        }
    };
    read_codes("include", campaign.filter.include);
    read_codes("exclude", campaign.filter.exclude);
}

// `approval = "required" | "none"` in a campaign file or a [steps.<id>] table.
std::optional<bool> read_approval(FileReader& reader, const toml::table& table, const std::string& prefix) {
    const std::string field = dotted_field(prefix, "approval");
    auto value = reader.string_at(table, "approval", field);
    if (!value) return std::nullopt;
    if (contains(kApprovalValues, *value)) return *value == "required";
    const std::string hint = closest_match(*value, kApprovalValues);
    reader.report(table.get("approval")->source(), field,
                  "unknown approval '" + *value + "' (" +
                      (hint.empty() ? "expected " + join_quoted(kApprovalValues) : "did you mean '" + hint + "'?") + ")");
    return std::nullopt;
}

// `approval_lead = "2d"`: a whole number of days (d), hours (h) or minutes (m),
// from 1 minute to 90 days: how long before a step is due its proof goes to staff.
std::optional<std::chrono::minutes> read_approval_lead(FileReader& reader, const toml::table& table,
                                                       const std::string& prefix) {
    const std::string field = dotted_field(prefix, "approval_lead");
    auto text = reader.string_at(table, "approval_lead", field);
    if (!text) return std::nullopt;
    const auto bad = [&](const std::string& why) {
        reader.report(table.get("approval_lead")->source(), field,
                      "approval_lead '" + *text + "' " + why +
                          " (expected a whole number of days, hours or minutes: \"2d\", \"36h\", \"90m\")");
        return std::nullopt;
    };
    if (text->size() < 2 || text->size() > 8) return bad("is malformed");
    const char unit = text->back();
    const std::string digits = text->substr(0, text->size() - 1);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return bad("is malformed");
    const long long n = std::stoll(digits);
    long long minutes = 0;
    if (unit == 'd') minutes = n * 24 * 60;
    else if (unit == 'h') minutes = n * 60;
    else if (unit == 'm') minutes = n;
    else return bad("has an unknown unit");
    if (minutes < 1 || minutes > 90LL * 24 * 60) return bad("is out of range (1 minute to 90 days)");
    return std::chrono::minutes(minutes);
}

// `attachments = [...]` of `table`: each path resolved against the campaign file's
// directory, with its position; whether the files are usable is checked when the
// campaign loads (they are read then).
std::optional<std::vector<AttachmentEntry>> read_attachments(FileReader& reader, const toml::table& table,
                                                             const std::string& field) {
    auto files = reader.string_list_at(table, "attachments", field);
    if (!files) return std::nullopt;
    std::vector<AttachmentEntry> entries;
    for (std::size_t i = 0; i < files->size(); ++i) {
        const auto& [file, node] = (*files)[i];
        const std::string entry_field = indexed_field(field, i);
        const SourcePosition at{static_cast<int>(node->source().begin.line), static_cast<int>(node->source().begin.column)};
        if (file.empty()) {
            reader.report(node->source(), entry_field, "an empty file name");
            continue;
        }
        entries.push_back({resolve(reader.directory(), file), entry_field, at});
    }
    return entries;
}

// `roll = "forward" | "back" | "none"` in a [steps.<id>] table.
std::optional<Roll> read_roll(FileReader& reader, const toml::table& table, const std::string& field) {
    auto rule = reader.string_at(table, "roll", field);
    if (!rule) return std::nullopt;
    if (*rule == "forward") return Roll::Forward;
    if (*rule == "back") return Roll::Back;
    if (*rule == "none") return Roll::None;
    const std::string hint = closest_match(*rule, kRollRules);
    reader.report(table.get("roll")->source(), field,
                  "unknown roll rule '" + *rule + "' (" +
                      (hint.empty() ? "expected " + join_quoted(kRollRules) : "did you mean '" + hint + "'?") + ")");
    return std::nullopt;
}

// [steps.<step id>] tables. Which step ids exist is the plugin's business: checked
// in runtime.cpp once the workflow is built.
void read_step_settings(FileReader& reader, const toml::table& root, CampaignConfig& campaign) {
    const toml::table* steps = reader.table_at(root, "steps", "steps");
    if (!steps) return;
    for (const auto& [key, node] : *steps) {
        const std::string id(key.str());
        const std::string field = dotted_field("steps", id);
        const toml::table* table = node.as_table();
        if (!table) {
            reader.wrong_type(node, field, "a table ([steps." + id + "])");
            continue;
        }
        StepSettings settings;
        settings.step = id;
        settings.at = SourcePosition{static_cast<int>(key.source().begin.line), static_cast<int>(key.source().begin.column)};
        reader.check_known_keys(*table, kStepKeys, field);
        settings.enabled = reader.boolean_at(*table, "enabled", dotted_field(field, "enabled"));
        settings.approval_required = read_approval(reader, *table, field);
        settings.approval_lead = read_approval_lead(reader, *table, field);
        settings.attachments = read_attachments(reader, *table, dotted_field(field, "attachments"));
        settings.roll = read_roll(reader, *table, dotted_field(field, "roll"));
        campaign.step_settings.push_back(std::move(settings));
    }
}

// `language = "fr"` forces the language of every letter; `[languages]` maps State
// codes to the language of their letters. Whether each code is in the roster is
// checked with the roster (check_language_overrides in runtime.cpp).
void read_languages(FileReader& reader, const toml::table& root, CampaignConfig& campaign) {
    const auto supported = [] {
        std::string out;
        for (const auto& code : supported_languages()) out += (out.empty() ? "\"" : ", \"") + code + "\"";
        return out;
    };
    if (auto language = reader.string_at(root, "language", "language")) {
        if (is_supported_language(*language))
            campaign.language = *language;
        else
            reader.report(root.get("language")->source(), "language",
                          "unknown language '" + *language + "' (expected " + supported() + ")");
    }
    const toml::table* table = reader.table_at(root, "languages", "languages");
    if (!table) return;
    for (const auto& [key, node] : *table) {
        const std::string code(key.str());
        const std::string field = dotted_field("languages", code);
        const SourcePosition at{static_cast<int>(key.source().begin.line), static_cast<int>(key.source().begin.column)};
        if (!is_alpha3_code(code)) {
            reader.report(key.source(), field,
                          "'" + code + "' is not an ISO 3166-1 alpha-3 code (three capital letters, e.g. \"SEN\")");
            continue;
        }
        const auto* language = node.as_string();
        if (!language) {
            reader.wrong_type(node, field, "a string (a language code)");
            continue;
        }
        if (!is_supported_language(language->get())) {
            reader.report(node.source(), field,
                          "unknown language '" + language->get() + "' (expected " + supported() + ")");
            continue;
        }
        campaign.languages.push_back({code, language->get(), at});
    }
}

// nullopt when the file cannot be parsed or lacks an id or type, so that callers
// never see a campaign they could not even name.
std::optional<CampaignConfig> read_campaign(const fs::path& file, const GlobalConfig& global, Diagnostics& out,
                                            toml::source_region& id_position) {
    FileReader reader(file, out);
    std::optional<toml::table> parsed = reader.parse();
    if (!parsed) return std::nullopt;
    toml::table& root = *parsed;

    CampaignConfig campaign;
    campaign.file = file;
    campaign.timezone = global.timezone;
    campaign.sender = global.sender;
    campaign.calendar = global.calendar;
    reader.check_known_keys(root, kCampaignKeys, "");

    auto id = reader.string_at(root, "id", "id");
    if (id) {
        id_position = root.get("id")->source();
        if (!is_valid_campaign_id(*id)) {
            reader.report(id_position, "id",
                          "campaign id '" + *id +
                              "' must start with a lower-case letter or digit and contain only a-z, 0-9, '_' and '-'");
        }
        campaign.id = *id;
    } else if (!root.get("id")) {
        reader.report(root.source(), "id", "missing required key 'id'");
    }

    auto type = reader.string_at(root, "type", "type");
    if (type) {
        campaign.type = *type;
    } else if (!root.get("type")) {
        reader.report(root.source(), "type", "missing required key 'type'");
    }

    if (auto enabled = reader.boolean_at(root, "enabled", "enabled")) campaign.enabled = *enabled;
    if (auto zone = reader.timezone_at(root, "timezone")) campaign.timezone = *zone;

    campaign.addressees = {"foreign_minister"};
    if (auto roles = reader.string_list_at(root, "addressees", "addressees")) {
        campaign.addressees.clear();
        for (std::size_t i = 0; i < roles->size(); ++i) {
            const auto& [role, node] = (*roles)[i];
            if (contains(kAddresseeRoles, role)) {
                campaign.addressees.push_back(role);
            } else {
                const std::string hint = closest_match(role, kAddresseeRoles);
                reader.report(node->source(), indexed_field("addressees", i),
                              "unknown addressee role '" + role + "' (" +
                                  (hint.empty() ? "expected " + join_quoted(kAddresseeRoles)
                                                : "did you mean '" + hint + "'?") +
                                  ")");
            }
        }
    }

    if (auto templates = reader.string_at(root, "templates", "templates")) {
        campaign.templates_dir = resolve(reader.directory(), *templates);
    }

    read_roster_section(reader, root, campaign);
    reader.read_sender(root, "", campaign.sender);
    if (root.get("calendar")) campaign.calendar = reader.calendar_at(root);
    read_step_settings(reader, root, campaign);
    if (auto required = read_approval(reader, root, "")) campaign.approval_required = *required;
    if (auto lead = read_approval_lead(reader, root, "")) campaign.approval_lead = *lead;
    read_languages(reader, root, campaign);
    campaign.attachments = read_attachments(reader, root, "attachments");
    if (auto pdf = reader.boolean_at(root, "pdf", "pdf")) campaign.pdf = *pdf;
    if (auto limit = reader.integer_at(root, "max_attachment_bytes", "max_attachment_bytes")) {
        const toml::source_region& where = root.get("max_attachment_bytes")->source();
        campaign.max_attachment_bytes_at = {static_cast<int>(where.begin.line), static_cast<int>(where.begin.column)};
        if (*limit < 1)
            reader.report(where, "max_attachment_bytes", "must be a positive number of bytes, not " + std::to_string(*limit));
        else
            campaign.max_attachment_bytes = *limit;
    }

    if (toml::node* params = root.get("params")) {
        // Moved, not copied: toml++ drops source positions on copy, and
        // validate_params needs them for its diagnostics.
        if (auto* table = params->as_table()) {
            campaign.params = std::move(*table);
        } else {
            reader.wrong_type(*params, "params", "a table");
        }
    }

    if (campaign.id.empty() || campaign.type.empty()) return std::nullopt;
    return campaign;
}

std::vector<fs::path> campaign_files(const fs::path& directory, std::error_code& ec) {
    std::vector<fs::path> files;
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code type_error;  // an unreadable entry is skipped, not fatal for the listing
        if (it->path().extension() == ".toml" && it->is_regular_file(type_error)) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
    return files;
}

void read_campaigns(Config& config, FileReader& global_reader, const toml::node* campaigns_node,
                    const toml::table& global_root, Diagnostics& out) {
    const fs::path& directory = config.global.campaigns_dir;
    const toml::source_region& where = campaigns_node ? campaigns_node->source() : global_root.source();
    std::error_code ec;
    if (!fs::exists(directory, ec)) {
        global_reader.report(where, "campaigns", "campaigns directory '" + directory.string() + "' does not exist");
        return;
    }
    if (!fs::is_directory(directory, ec)) {
        global_reader.report(where, "campaigns", "'" + directory.string() + "' is not a directory");
        return;
    }
    const std::vector<fs::path> files = campaign_files(directory, ec);
    if (ec) {
        global_reader.report(where, "campaigns",
                             "cannot list campaigns directory '" + directory.string() + "': " + ec.message());
        return;
    }

    struct FirstDefinition {
        fs::path file;
        toml::source_region position;
    };
    std::map<std::string, FirstDefinition> seen_ids;
    for (const fs::path& file : files) {
        toml::source_region id_position;
        const std::size_t errors_before = out.size();
        std::optional<CampaignConfig> campaign = read_campaign(file, config.global, out, id_position);
        if (!campaign) continue;
        campaign->config_errors = out.size() - errors_before;
        const auto [it, inserted] = seen_ids.try_emplace(campaign->id, FirstDefinition{file, id_position});
        if (!inserted) {
            const FirstDefinition& first = it->second;
            const std::string id = campaign->id;
            out.push_back(Diagnostic{first.file, static_cast<int>(first.position.begin.line),
                                     static_cast<int>(first.position.begin.column), "id",
                                     "duplicate campaign id '" + id + "' (also defined at " +
                                         format_position(file, id_position) + ")"});
            out.push_back(Diagnostic{file, static_cast<int>(id_position.begin.line),
                                     static_cast<int>(id_position.begin.column), "id",
                                     "duplicate campaign id '" + id + "' (first defined at " +
                                         format_position(first.file, first.position) + ")"});
            // Neither file says which campaign is meant: both are left out.
            for (auto& loaded : config.campaigns)
                if (loaded.file == first.file) ++loaded.config_errors;
            continue;
        }
        config.campaigns.push_back(std::move(*campaign));
    }
}

}  // namespace

bool is_known_timezone(const std::string& name) {
    if (name.empty()) return false;
    try {
        return date::locate_zone(name) != nullptr;
    } catch (const std::exception&) {
        return false;
    }
}

Config load_config(const fs::path& file, Diagnostics& out) {
    Config config;
    config.global.file = file;
    FileReader reader(file, out);
    std::optional<toml::table> root = reader.parse();
    if (!root) {
        // Without a readable outreach.toml the campaigns directory is unknown:
        // report only that, with the defaults filled in for the caller.
        const fs::path base = file.parent_path();
        config.global.journal = resolve(base, "../var/journal.sqlite");
        config.global.campaigns_dir = resolve(base, "campaigns");
        config.global.templates_dir = resolve(base, "templates");
        config.global.delivery.outbox = resolve(base, "../var/outbox");
        return config;
    }
    const toml::node* campaigns_node = nullptr;
    config.global = read_global(reader, *root, campaigns_node);
    read_campaigns(config, reader, campaigns_node, *root, out);
    return config;
}

}  // namespace outreach
