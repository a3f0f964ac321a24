#pragma once
// What a plugin builds from a campaign's params: milestones and steps.
// Everything here is plain data; the core's scheduler gives it meaning.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "outreach/calendar.hpp"

namespace outreach {

// A distance from a milestone: whole calendar months first (the day clamps to the
// month's end: 31 Jan + 1 month = 28/29 Feb), then days. Negative = before.
struct Offset {
    int months = 0;
    Days days{0};

    constexpr Offset() = default;
    constexpr Offset(Days d) : days(d) {}  // implicit: AtTrigger{"deadline", Days{-14}, ...}
    static constexpr Offset in_months(int m) {
        Offset o;
        o.months = m;
        return o;
    }
    static constexpr Offset in_days(int d) { return Offset{Days{d}}; }
    friend bool operator==(const Offset&, const Offset&) = default;
};

// `date` moved by `offset` (months with end-of-month clamping, then days).
OUTREACH_EXPORT Date apply_offset(Date date, const Offset& offset);

struct Milestone {
    std::string id;          // "notification_deadline"
    Date date;               // in the campaign's time zone (unused when per_state is set)
    bool deadline = false;   // a deadline's instant is 00:00 local on its date
    std::string label;       // "States notify their intentions"
    // Per-State milestone (e.g. each State's report due date): alpha-3 code -> date.
    // `at`/`every` triggers relative to it yield one occurrence series per State
    // listed, addressed to that State only; as a step's `valid_until` it stops each
    // State's occurrences at that State's own date.
    std::map<std::string, Date> per_state = {};

    bool is_per_state() const { return !per_state.empty(); }
};

// ---- triggers -----------------------------------------------------------
// `at` a milestone + offset at a local time of day.
struct AtTrigger {
    std::string milestone;
    Offset offset{};
    LocalTime time{9, 0};
};

// `every`: an RFC 5545 RRULE ("FREQ=MONTHLY;INTERVAL=6") whose DTSTART is the
// `from` milestone (+ offset) at `time`; occurrences stop before `until` (a
// campaign-wide milestone, or a per-State one of the same State). Empty
// `until_milestone`: the rule's own COUNT/UNTIL ends it (at most 1,000 occurrences).
struct EveryTrigger {
    std::string rrule;
    std::string from_milestone;
    Offset from_offset{};
    std::string until_milestone;
    LocalTime time{9, 0};
};

// `after` each occurrence of another step, by a delay.
struct AfterTrigger {
    std::string step;
    std::chrono::minutes delay{0};
};

// `on_response` of a kind: one occurrence per response, `delay` days after the
// response's local date, at `time`, addressed to the responding State only.
struct OnResponseTrigger {
    std::string kind;
    Days delay{1};
    LocalTime time{9, 0};
};

using Trigger = std::variant<AtTrigger, EveryTrigger, AfterTrigger, OnResponseTrigger>;

// ---- audiences ------------------------------------------------------------
// Resolved when a step fires, against the responses recorded by then. A task's
// audience is the list of States it reports on (Staff: none).
struct Audience {
    enum class Kind { All, WithResponse, WithoutResponse, Predicate, Staff, States };
    Kind kind = Kind::All;
    std::string response_kind;        // WithResponse / WithoutResponse: empty = any kind
    std::string predicate;            // Predicate: name passed to CampaignType::matches
    std::vector<std::string> states = {};  // States: a fixed list of alpha-3 codes
    // Predicate: the audience in plain words for operators ("States that have not
    // declined"); empty: `plan` shows the predicate's name.
    std::string description = {};

    static Audience all() { return {}; }
    static Audience staff() { return {Kind::Staff, {}, {}, {}}; }
    static Audience with_response(std::string kind = {}) { return {Kind::WithResponse, std::move(kind), {}, {}}; }
    static Audience without_response(std::string kind = {}) {
        return {Kind::WithoutResponse, std::move(kind), {}, {}};
    }
    static Audience matching(std::string predicate, std::string description = {}) {
        return {Kind::Predicate, {}, std::move(predicate), {}, std::move(description)};
    }
    static Audience fixed(std::vector<std::string> codes) { return {Kind::States, {}, {}, std::move(codes)}; }
};

// ---- actions --------------------------------------------------------------
// A letter: `config/templates/<type>/<template>.mustache`, one message per addressee
// of each State in the audience whose role is in `roles` (empty: the campaign's
// `addressees` setting).
struct LetterAction {
    std::string template_name;
    std::vector<std::string> roles;
};

// A task for staff, rendered from a template and delivered to the staff address.
// Its template gets the audience's States as the list `audience_states`.
struct TaskAction {
    std::string template_name;
};

using Action = std::variant<LetterAction, TaskAction>;

// ---- misfire policy ---------------------------------------------------------
// What happens to an occurrence whose due instant passed while nothing ran.
// Several missed occurrences of one recurring series always coalesce into the latest.
struct MisfirePolicy {
    enum class Kind { FireLateOnce, SkipWhenLate };
    Kind kind = Kind::FireLateOnce;
    std::chrono::minutes grace{std::chrono::hours(24 * 7)};  // SkipWhenLate: how late is too late
};

// What happens to an occurrence whose local date is a day the campaign's
// business calendar closes (a weekend day or an official holiday): `Auto` is
// Back for a step bound to a deadline (valid_until), so it stays before the
// deadline, and Forward otherwise. A roll never crosses the step's deadline, the
// milestone its trigger is counted from, nor the campaign's first milestone; when
// the rule's direction finds no working day within those bounds the other one is
// tried (docs/config-format.md, "Working days").
enum class Roll { Auto, Forward, Back, None };

struct Step {
    std::string id;
    std::string description;
    Trigger trigger;
    Audience audience;
    Action action;
    // Id of a deadline milestone: no occurrence is ever sent at or after it. For a
    // per-State deadline, each State's own date applies to that State.
    std::string valid_until;
    MisfirePolicy misfire;
    // Stop condition: once a State has recorded a response of this kind, the step
    // writes to it no more (its remaining per-State occurrences are skipped).
    std::string until_response = {};
    // False when the operator turned the step off (`[steps.<id>] enabled = false`):
    // it has no occurrences, so steps `after` it have none either.
    bool enabled = true;
    // Moving off closed days; the operator may override it ([steps.<id>] roll).
    Roll roll = Roll::Auto;
};

// A file a plugin makes for letters to enclose (e.g. the list of the treaties an
// invitation highlights). Operators' `attachments` replace a step's enclosures.
struct Enclosure {
    std::string filename;      // as the recipient sees it, e.g. "highlighted-treaties-2007.txt"
    std::string content_type;  // "text/plain; charset=utf-8", "application/pdf", ...
    std::string content;       // the bytes
};

// Template values a plugin adds for letters and tasks (the core adds the State,
// addressee, sender, milestone and step values itself).
struct TemplateValues {
    std::map<std::string, std::string> scalars;
    std::map<std::string, std::vector<std::string>> lists;
};

struct Workflow {
    std::vector<Milestone> milestones;
    std::vector<Step> steps;
    TemplateValues values;  // for every letter and task of the campaign
    // The plugin's own data, kept by the core with the campaign and handed back to
    // every hook (FiringContext::data<T>()): what build_workflow() worked out once.
    std::shared_ptr<const void> data = {};
    // Lines for operators that `plan` prints under the campaign: what the plugin
    // decided that the campaign file does not say (e.g. dates it derived).
    std::vector<std::string> notes = {};
    // Per language ("fr", "es"): values that replace those of `values` in letters
    // written in that language (dates, ordinals and other text the plugin words
    // itself, formatted with outreach/language.hpp). A name missing here keeps
    // its `values` text.
    std::map<std::string, TemplateValues> values_by_language = {};
    // Step id -> the enclosures its letters carry when the campaign file names no
    // `attachments` for it; "<step id>@<language>" (e.g. "invitation@fr") for the
    // letters in that language, when they differ.
    std::map<std::string, std::vector<Enclosure>> enclosures = {};

    const Milestone* milestone(const std::string& id) const {
        for (const auto& m : milestones)
            if (m.id == id) return &m;
        return nullptr;
    }
    const Step* step(const std::string& id) const {
        for (const auto& s : steps)
            if (s.id == id) return &s;
        return nullptr;
    }
};

}  // namespace outreach
