#pragma once
// Operator configuration: config/outreach.toml plus one TOML file per campaign.
// Loading never stops at the first problem: every problem becomes a Diagnostic.
// Relative paths are resolved against the directory of the file that names them.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "config/diagnostics.hpp"
#include "outreach/workflow.hpp"

namespace outreach {

struct SenderConfig {
    std::string name;          // "Treaty Section, Office of Legal Affairs"
    std::string email;         // From: address
    std::string staff_email;   // where staff tasks are delivered
};

// [delivery.smtp]: where and how the smtp channel submits letters.
struct SmtpConfig {
    std::string host;                      // required when channel = "smtp"
    int port = 587;                        // 465 when security = "tls" and no port is given
    std::string security = "starttls";     // starttls | tls (implicit, smtps) | none
    std::string username;                  // empty: no authentication
    std::filesystem::path password_file;   // mode 0600 or stricter, owned by the running user
    std::string password_env;              // or: the environment variable holding the password
    std::filesystem::path ca_file;         // PEM CA certificate(s) to trust instead of the system's; empty: system CAs
    int timeout_seconds = 60;              // per message, connection included
};

struct DeliveryConfig {
    std::string channel = "maildir";       // maildir | stdout | smtp
    std::filesystem::path outbox;          // Maildir root
    SmtpConfig smtp;
};

struct SourcePosition {
    int line = 0;    // 1-based; 0 = unknown
    int column = 0;
};

// `calendar = "..."` (outreach.toml or a campaign file): a business calendar
// file (time/business_calendar.hpp), resolved, with where it was named.
struct CalendarSetting {
    std::filesystem::path file;
    std::filesystem::path named_in;
    SourcePosition at;
};

struct GlobalConfig {
    std::filesystem::path file;                     // the outreach.toml read
    std::string timezone = "America/New_York";      // default for campaigns
    std::filesystem::path journal;                  // SQLite file
    std::vector<std::filesystem::path> plugin_dirs; // besides the built-in one
    std::filesystem::path templates_dir;            // templates/<type>/<name>.mustache
    std::filesystem::path campaigns_dir;            // *.toml, one per campaign
    SenderConfig sender;
    DeliveryConfig delivery;
    std::optional<CalendarSetting> calendar;        // default for campaigns; none: weekends only
};

struct RosterFilter {
    std::vector<std::string> status;   // "member", "observer"; empty = all
    std::vector<std::string> groups;   // regional groups; empty = all
    std::vector<std::string> include;  // alpha-3 codes; empty = all
    std::vector<std::string> exclude;  // alpha-3 codes
};

// A file letters enclose, as a campaign file lists it (`attachments = [...]`),
// resolved against the campaign file's directory. Read and checked when the
// campaign loads (delivery/attachments.cpp).
struct AttachmentEntry {
    std::filesystem::path file;  // resolved
    std::string field;           // "attachments[1]", "steps.invitation.attachments[2]"
    SourcePosition at;
};

// `[steps.<step id>]` in a campaign file: the operator's settings for one step of
// the workflow the plugin builds. Keys are read in config.cpp (read_step_settings);
// the step id can only be checked once the workflow exists (check_step_settings in
// runtime.cpp), which also applies the settings to the workflow's steps.
struct StepSettings {
    std::string step;                 // the id as written
    SourcePosition at;                // the table's position
    std::optional<bool> enabled;      // false: the step never fires
    // approval = "required" | "none": overrides the campaign's `approval`.
    std::optional<bool> approval_required;
    std::optional<std::chrono::minutes> approval_lead;  // overrides the campaign's `approval_lead`
    // The files its letters enclose, replacing the campaign's `attachments` (an
    // empty list: none); absent: the campaign's.
    std::optional<std::vector<AttachmentEntry>> attachments;
    std::optional<Roll> roll;         // roll = "forward" | "back" | "none": off closed days
};

struct CampaignConfig {
    std::filesystem::path file;
    std::string id;
    std::string type;
    bool enabled = true;
    std::string timezone;                 // defaults to GlobalConfig::timezone
    std::filesystem::path roster;         // roster file
    RosterFilter filter;
    std::vector<std::string> addressees;  // roles letters go to by default
    std::optional<std::filesystem::path> templates_dir;  // override
    SenderConfig sender;                  // defaults to the global sender
    std::optional<CalendarSetting> calendar;  // its own `calendar`, else the global one
    toml::table params;                   // raw; validated against the plugin's options
    std::vector<StepSettings> step_settings;  // [steps.<id>], in file order
    // Four-eyes control: `approval = "required"` makes every step wait for
    // `outreach approve` (a step's own `approval` overrides it); the proof goes to
    // staff `approval_lead` ("2d", "36h", "90m") before the step is due.
    bool approval_required = false;
    std::chrono::minutes approval_lead{std::chrono::hours(48)};
    // Correspondence language: `language` forces one for every letter (empty: each
    // State's own, from the roster); `[languages]` sets it per State (State code ->
    // language), overriding the roster but not a forced `language`.
    std::string language;
    struct LanguageOverride {
        std::string state;     // alpha-3
        std::string language;  // a supported code
        SourcePosition at;
    };
    std::vector<LanguageOverride> languages;
    // Files every letter encloses (a step's own list replaces it); absent: the
    // campaign type's own enclosures, if it makes any.
    std::optional<std::vector<AttachmentEntry>> attachments;
    // The most the enclosures of one letter may weigh, in bytes.
    static constexpr std::int64_t kDefaultMaxAttachmentBytes = 10 * 1024 * 1024;
    std::int64_t max_attachment_bytes = kDefaultMaxAttachmentBytes;
    SourcePosition max_attachment_bytes_at;
    // Each letter carries its PDF rendition (delivery/pdf_renderer.hpp); false: text only.
    bool pdf = true;
    // The roster filter's entries as written, with their positions, for the
    // checks that need the roster itself (check_roster_filter).
    struct FilterEntry {
        std::string field;  // "roster.exclude[1]"
        std::string value;  // "FRN"
        SourcePosition at;
    };
    std::vector<FilterEntry> filter_entries;
    // Problems load_config found in this campaign's own file (its [sender], its
    // zone, a duplicate id, ...). A campaign with any is not loaded.
    std::size_t config_errors = 0;
};

struct Config {
    GlobalConfig global;
    std::vector<CampaignConfig> campaigns;
};

// Reads outreach.toml and every campaign file. Syntax errors, unknown keys, wrong
// types, bad dates and bad time zones are appended to `out`. Campaign params are
// not checked here (they need the plugin): see validate_params().
OUTREACH_EXPORT Config load_config(const std::filesystem::path& file, Diagnostics& out);

// True when `name` is an IANA zone the system tz database knows.
OUTREACH_EXPORT bool is_known_timezone(const std::string& name);

}  // namespace outreach
