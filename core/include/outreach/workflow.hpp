#pragma once
// What a plugin builds from a campaign's params: milestones and steps.
// Everything here is plain data; the core's scheduler gives it meaning.
#include <chrono>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "outreach/calendar.hpp"

namespace outreach {

struct Milestone {
    std::string id;          // "notification_deadline"
    Date date;               // in the campaign's time zone
    bool deadline = false;   // a deadline's instant is 00:00 local on its date
    std::string label;       // "States notify their intentions"
};

// ---- triggers -----------------------------------------------------------
// `at` a milestone + offset (negative = before) at a local time of day.
struct AtTrigger {
    std::string milestone;
    Days offset{0};
    LocalTime time{9, 0};
};

// `every`: an RFC 5545 RRULE ("FREQ=MONTHLY;INTERVAL=6") whose DTSTART is the
// `from` milestone (+ offset) at `time`; occurrences stop before `until`.
struct EveryTrigger {
    std::string rrule;
    std::string from_milestone;
    Days from_offset{0};
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
// Resolved when a step fires, against the responses recorded by then.
struct Audience {
    enum class Kind { All, WithResponse, WithoutResponse, Predicate, Staff };
    Kind kind = Kind::All;
    std::string response_kind;  // WithResponse / WithoutResponse: empty = any kind
    std::string predicate;      // Predicate: name passed to CampaignType::matches

    static Audience all() { return {}; }
    static Audience staff() { return {Kind::Staff, {}, {}}; }
    static Audience with_response(std::string kind = {}) { return {Kind::WithResponse, std::move(kind), {}}; }
    static Audience without_response(std::string kind = {}) { return {Kind::WithoutResponse, std::move(kind), {}}; }
    static Audience matching(std::string predicate) { return {Kind::Predicate, {}, std::move(predicate)}; }
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
struct TaskAction {
    std::string template_name;
};

using Action = std::variant<LetterAction, TaskAction>;

// ---- misfire policy ---------------------------------------------------------
// What happens to an occurrence whose due instant passed while nothing ran.
// Several missed occurrences of one step always coalesce into the latest one.
struct MisfirePolicy {
    enum class Kind { FireLateOnce, SkipWhenLate };
    Kind kind = Kind::FireLateOnce;
    std::chrono::minutes grace{std::chrono::hours(24 * 7)};  // SkipWhenLate: how late is too late
};

struct Step {
    std::string id;
    std::string description;
    Trigger trigger;
    Audience audience;
    Action action;
    // Id of a deadline milestone: no occurrence is ever sent at or after it.
    std::string valid_until;
    MisfirePolicy misfire;
};

// Template values a plugin adds for every letter of the campaign (the core adds
// the State, addressee, sender, milestone and step values itself).
struct TemplateValues {
    std::map<std::string, std::string> scalars;
    std::map<std::string, std::vector<std::string>> lists;
};

struct Workflow {
    std::vector<Milestone> milestones;
    std::vector<Step> steps;
    TemplateValues values;

    const Milestone* milestone(const std::string& id) const {
        for (const auto& m : milestones) if (m.id == id) return &m;
        return nullptr;
    }
};

}  // namespace outreach
