#include "treaty_event.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>

#include "general_assembly_calendar.hpp"

namespace outreach::treaty_event {
namespace {

// Option names, spelled once: the declaration table and the reads below share them.
namespace opt {
constexpr const char* title = "title";
constexpr const char* letter_date = "letter_date";
constexpr const char* notification_deadline = "notification_deadline";
constexpr const char* event_dates = "event_dates";
constexpr const char* derived_event_days = "derived_event_days";
constexpr const char* event_year = "event_year";
constexpr const char* treaties = "treaties";
constexpr const char* signatory = "signatory";
constexpr const char* signatory_title = "signatory_title";
constexpr const char* reminder_offsets = "reminder_offsets";
constexpr const char* booklet_publication_offset = "booklet_publication_offset";
constexpr const char* event_reminder_offset = "event_reminder_offset";
constexpr const char* follow_up_offset = "follow_up_offset";
constexpr const char* send_time = "send_time";
}  // namespace opt

constexpr std::int64_t kMaxDerivedEventDays = 31;
constexpr std::int64_t kMaxOffsetDays = 3650;  // larger offsets are typos, and would overflow chrono::days
constexpr int kLastYear = 9999;
constexpr auto kReminderGrace = std::chrono::hours(24 * 3);

// Response kinds, spelled once.
namespace kind {
constexpr const char* intends_to_sign = "intends_to_sign";
constexpr const char* intends_to_ratify = "intends_to_ratify";
constexpr const char* intends_to_accede = "intends_to_accede";
constexpr const char* declined = "declined";
}  // namespace kind

constexpr const char* kNotDeclined = "not_declined";

struct Intent {
    const char* kind;
    const char* action;  // the treaty action, as step ids and the signing-slot list name it
    const char* phrase;  // "... intention to {phrase} the Convention"
    const char* phrase_fr;  // "... l'intention de votre gouvernement {phrase} un traité" ("de"/"d'" included: elision)
    const char* phrase_es;  // "... la intención de {phrase} un tratado"
};
constexpr Intent kIntents[] = {
    {kind::intends_to_sign, "sign", "sign", "de signer", "firmar"},
    {kind::intends_to_ratify, "ratify", "ratify", "de ratifier", "ratificar"},
    {kind::intends_to_accede, "accede", "accede to", "d'adhérer à", "adherirse a"},
};

const char* phrase_in(const Intent& intent, const std::string& language) {
    if (language == "fr") return intent.phrase_fr;
    if (language == "es") return intent.phrase_es;
    return intent.phrase;
}
constexpr std::string_view kAcknowledgementPrefix = "acknowledgement_";

const Intent* intent_of(const std::string& response_kind) {
    for (const auto& intent : kIntents)
        if (response_kind == intent.kind) return &intent;
    return nullptr;
}

// A later `declined` withdraws what the State notified before; a later intention
// revives it. `responses` are in time order (the core's guarantee).
bool has_declined(const std::vector<Response>& own_responses) {
    return !own_responses.empty() && own_responses.back().kind == kind::declined;
}

std::vector<OptionSpec> option_table() {
    using V = OptionValue;
    return {
        {opt::title, OptionType::String, std::nullopt, true,
         "Title of the treaty event, quoted in every letter, e.g. \"Focus 2007: Towards Universal Participation "
         "and Implementation - ...\". title_fr / title_es: the title in French and Spanish letters.",
         true},
        {opt::letter_date, OptionType::Date, std::nullopt, true,
         "Date of the invitation letter; the invitation goes out on this day."},
        {opt::notification_deadline, OptionType::Date, std::nullopt, false,
         "Date by which States notify their intention to sign, ratify or accede; no deadline reminder is sent "
         "on or after it. Must fall after letter_date and before the first event day. "
         "Default: 1 September of the event year."},
        {opt::event_dates, OptionType::DateRanges, std::nullopt, false,
         "Days of the treaty event as inclusive ranges in date order, e.g. "
         "[[2007-09-25, 2007-09-27], [2007-10-01, 2007-10-02]]. When absent, derived from the General "
         "Assembly's rules: derived_event_days days from the opening of the general debate. Explicit dates "
         "always win (actual sessions sometimes deviate from the rules)."},
        {opt::derived_event_days, OptionType::Integer, V{std::int64_t{4}}, false,
         "Length of the event in days (1 to 31) when event_dates is absent."},
        {opt::event_year, OptionType::Integer, std::nullopt, false,
         "Year of the event when event_dates is absent (2003 or later, when the General Assembly's current "
         "opening rule took effect). Default: the year of letter_date. If given with event_dates, it must "
         "match their year."},
        {opt::treaties, OptionType::StringList, V{std::vector<std::string>{}}, false,
         "Treaties highlighted in the invitation and the Focus booklet, one title each. treaties_fr / treaties_es: "
         "their official French and Spanish titles (UN Treaty Collection), as many and in the same order.",
         true},
        {opt::signatory, OptionType::String, std::nullopt, true,
         "Name under which the letters are signed, e.g. \"Ban Ki-moon\"."},
        {opt::signatory_title, OptionType::String, V{std::string{"Secretary-General"}}, false,
         "Title of the signatory, shown in the letterhead (\"THE SECRETARY-GENERAL\")."},
        {opt::reminder_offsets, OptionType::IntegerList, V{std::vector<std::int64_t>{-60, -30, -14}}, false,
         "Deadline reminders, in days relative to notification_deadline: each must be negative and fall after "
         "letter_date. One step per offset, named by the days before the deadline (-60: deadline_reminder_60)."},
        {opt::booklet_publication_offset, OptionType::Integer, V{std::int64_t{-60}}, false,
         "Staff task to publish the Focus booklet, in days relative to the first event day (negative = before)."},
        {opt::event_reminder_offset, OptionType::Integer, V{std::int64_t{-7}}, false,
         "Reminder of the event to every State, in days relative to the first event day (zero or negative)."},
        {opt::follow_up_offset, OptionType::Integer, V{std::int64_t{14}}, false,
         "Follow-up letter offering implementation assistance, in days after the last event day (zero or "
         "positive)."},
        {opt::send_time, OptionType::Time, V{LocalTime{9, 0}}, false,
         "Local time of day (HH:MM, campaign time zone) at which every step fires."},
    };
}

int year_of(Date date) { return static_cast<int>(std::chrono::year_month_day{date}.year()); }

std::string range_label(std::size_t index, const DateRange& range) {
    return "range " + std::to_string(index + 1) + " [" + format_date(range.first) + ", " + format_date(range.last) +
           "]";
}

void check_event_ranges(const std::vector<DateRange>& ranges) {
    if (ranges.empty())
        fail_option(opt::event_dates, "is empty; give at least one range, or leave event_dates out to derive the dates "
                               "from the General Assembly's rules");
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        if (ranges[i].last < ranges[i].first) fail_option(opt::event_dates, range_label(i, ranges[i]) + " ends before it starts");
        if (i == 0) continue;
        if (ranges[i].first < ranges[i - 1].first)
            fail_option(opt::event_dates, range_label(i, ranges[i]) + " starts before " + range_label(i - 1, ranges[i - 1]) +
                                       "; list the ranges in date order");
        if (ranges[i].first <= ranges[i - 1].last)
            fail_option(opt::event_dates, range_label(i, ranges[i]) + " overlaps " + range_label(i - 1, ranges[i - 1]) +
                                       "; merge them into one range");
    }
}

Days offset_days(const char* option, std::int64_t value) {
    if (value < -kMaxOffsetDays || value > kMaxOffsetDays)
        fail_option(option, std::to_string(value) + " days is more than ten years; offsets count days");
    return Days(value);
}

struct EventSchedule {
    std::vector<DateRange> ranges;
    int year = 0;
};

EventSchedule explicit_schedule(const Params& params) {
    EventSchedule schedule{params.date_ranges(opt::event_dates), 0};
    check_event_ranges(schedule.ranges);
    schedule.year = year_of(schedule.ranges.front().first);
    if (params.has(opt::event_year) && params.integer(opt::event_year) != schedule.year)
        fail_option(opt::event_year, std::to_string(params.integer(opt::event_year)) + " disagrees with event_dates, which start in " +
                                  std::to_string(schedule.year) + "; drop event_year or correct it");
    return schedule;
}

// No explicit dates: the event runs from the opening of the general debate.
EventSchedule derived_schedule(const CampaignContext& context) {
    const Params& params = context.params;
    const bool year_given = params.has(opt::event_year);
    const std::int64_t year = year_given ? params.integer(opt::event_year) : year_of(params.date(opt::letter_date));
    if (year < kFirstRuleYear || year > kLastYear) {
        const std::string why = std::to_string(year) + " is outside " + std::to_string(kFirstRuleYear) + "-" +
                                std::to_string(kLastYear) +
                                ", the years for which the event dates can be derived from the General Assembly's "
                                "rules; give event_dates explicitly";
        if (year_given) fail_option(opt::event_year, why);
        fail_option(opt::letter_date, "without event_dates or event_year the event year is the letter's year, and " + why);
    }
    const std::int64_t days = params.integer(opt::derived_event_days);
    if (days < 1 || days > kMaxDerivedEventDays)
        fail_option(opt::derived_event_days, std::to_string(days) + " is not between 1 and " +
                                          std::to_string(kMaxDerivedEventDays));

    const int event_year = static_cast<int>(year);
    const Date session_opens = regular_session_opening(event_year);
    const Date debate_opens = general_debate_opening(event_year);
    EventSchedule schedule{{DateRange{debate_opens, debate_opens + Days(days - 1)}}, event_year};
    if (context.log)
        context.log->debug("{}: no event_dates given; derived {} from the General Assembly's rules ({} session "
                           "opens {}, general debate opens {})",
                           context.id, format_date_ranges(schedule.ranges, "en"), format_ordinal(session_number(event_year), "en"),
                           format_date(session_opens), format_date(debate_opens));
    return schedule;
}

// Reminder offsets, checked and sorted so the earliest reminder comes first.
std::vector<std::int64_t> reminder_offsets(const Params& params, Date letter_date, Date deadline) {
    std::vector<std::int64_t> offsets = params.integers(opt::reminder_offsets);
    std::set<std::int64_t> seen;
    for (const std::int64_t offset : offsets) {
        if (offset > 0)
            fail_option(opt::reminder_offsets,
                 std::to_string(offset) + " is positive and would remind States after the notification deadline; "
                                          "offsets count days relative to notification_deadline and must be "
                                          "negative, e.g. [-60, -30, -14]");
        if (offset == 0)
            fail_option(opt::reminder_offsets, "0 falls on the notification deadline itself, when no reminder may be sent "
                                        "any more; use negative offsets, e.g. [-60, -30, -14]");
        if (!seen.insert(offset).second) fail_option(opt::reminder_offsets, std::to_string(offset) + " is listed twice");
        const Date reminder = deadline + offset_days(opt::reminder_offsets, offset);
        if (reminder <= letter_date)
            fail_option(opt::reminder_offsets, std::to_string(offset) + " puts a reminder on " + format_date(reminder) +
                                            ", not after the invitation (letter_date " + format_date(letter_date) +
                                            "); drop it or use an offset closer to the deadline");
    }
    std::sort(offsets.begin(), offsets.end());
    return offsets;
}

// The list of highlighted treaties the invitation and the deadline reminders
// enclose (when the campaign file names no attachments of its own), in the
// letter's language.
Enclosure treaty_list(const Params& params, int year, const std::string& language) {
    const std::string& title = params.string_in(opt::title, language);
    const auto& treaties = params.strings_in(opt::treaties, language);
    const std::string y = std::to_string(year);
    Enclosure list;
    list.content_type = "text/plain; charset=utf-8";
    if (language == "fr") {
        list.filename = "traités-mis-en-avant-" + y + ".txt";
        list.content = "Traités mis en avant lors de la cérémonie des traités de " + y + "\n« " + title + " »\n\n";
    } else if (language == "es") {
        list.filename = "tratados-destacados-" + y + ".txt";
        list.content = "Tratados destacados en la ceremonia de tratados de " + y + "\n\"" + title + "\"\n\n";
    } else {
        list.filename = "highlighted-treaties-" + y + ".txt";
        list.content = "Treaties highlighted at the " + y + " treaty event\n\"" + title + "\"\n\n";
    }
    for (std::size_t i = 0; i < treaties.size(); ++i) list.content += std::to_string(i + 1) + ". " + treaties[i] + "\n";
    return list;
}

// The values whose words depend on the letter's language.
TemplateValues language_values(const Params& params, const EventSchedule& schedule, Date deadline,
                               const std::string& language) {
    TemplateValues values;
    values.scalars = {
        {"title", params.string_in(opt::title, language)},
        {"letterhead", format_letterhead(params.string(opt::signatory_title), language)},
        {"event_dates_text", format_date_ranges(schedule.ranges, language)},
        {"session_ordinal", format_ordinal(session_number(schedule.year), language)},
        {"deadline_text", format_date_long(deadline, language)},
    };
    values.lists["treaties"] = params.strings_in(opt::treaties, language);
    return values;
}

}  // namespace

std::string TreatyEventType::name() const { return "treaty_event"; }

std::string TreatyEventType::description() const {
    return "Annual treaty event at the General Assembly: invitation, deadline reminders, Focus booklet, signing "
           "slots, event reminder and follow-up";
}

std::vector<OptionSpec> TreatyEventType::options() const { return option_table(); }

Workflow TreatyEventType::build_workflow(const CampaignContext& context) const {
    const Params& params = context.params;
    require_text(params, opt::title);
    require_text(params, opt::signatory);
    for (const auto& language : supported_languages())
        if (const std::string translated = language_option_name(opt::treaties, language);
            params.has(translated) && params.strings(translated).size() != params.strings(opt::treaties).size())
            fail_option(translated, "lists " + std::to_string(params.strings(translated).size()) + " titles for the " +
                                 std::to_string(params.strings(opt::treaties).size()) +
                                 " treaties; give one title per treaty, in the same order");

    const EventSchedule schedule = params.has(opt::event_dates) ? explicit_schedule(params) : derived_schedule(context);
    const Date letter_date = params.date(opt::letter_date);
    const Date deadline = params.has(opt::notification_deadline) ? params.date(opt::notification_deadline)
                                                                 : make_date(schedule.year, 9, 1);
    const Date event_start = schedule.ranges.front().first;
    const Date event_end = schedule.ranges.back().last;
    const std::string deadline_origin = params.has(opt::notification_deadline) ? "" : " (the default, 1 September)";

    if (!(letter_date < deadline))
        fail_option(opt::letter_date, format_date(letter_date) + " is not before the notification deadline " +
                                   format_date(deadline) + deadline_origin +
                                   "; States need time between the invitation and the deadline");
    if (!(deadline < event_start))
        fail_option(opt::notification_deadline,
             format_date(deadline) + deadline_origin + " is not before the first event day " + format_date(event_start) +
                 "; the Secretariat needs the notifications to arrange signing slots, so set an earlier deadline");

    const std::vector<std::int64_t> offsets = reminder_offsets(params, letter_date, deadline);
    const Days booklet_offset = offset_days(opt::booklet_publication_offset, params.integer(opt::booklet_publication_offset));
    const Days event_reminder_offset = offset_days(opt::event_reminder_offset, params.integer(opt::event_reminder_offset));
    const Days follow_up_offset = offset_days(opt::follow_up_offset, params.integer(opt::follow_up_offset));
    if (event_reminder_offset > Days{0})
        fail_option(opt::event_reminder_offset, std::to_string(event_reminder_offset.count()) +
                                             " would remind States after the event has begun; use zero or a "
                                             "negative number of days before the first event day");
    if (follow_up_offset < Days{0})
        fail_option(opt::follow_up_offset, std::to_string(follow_up_offset.count()) +
                                        " would follow up before the event has ended; use zero or a positive number "
                                        "of days after the last event day");
    const LocalTime time = params.time(opt::send_time);

    Workflow workflow;
    workflow.milestones = {
        {"letter_date", letter_date, false, "Invitations are sent"},
        {"notification_deadline", deadline, true, "States notify their intention to sign, ratify or accede"},
        {"event_start", event_start, false, "The treaty event opens"},
        {"event_end", event_end, false, "The treaty event closes"},
    };
    if (schedule.ranges.size() > 1) {
        for (std::size_t i = 0; i < schedule.ranges.size(); ++i) {
            const std::string part = std::to_string(i + 1);
            workflow.milestones.push_back({"event_range_" + part + "_start", schedule.ranges[i].first, false,
                                           "Part " + part + " of the treaty event opens"});
            workflow.milestones.push_back({"event_range_" + part + "_end", schedule.ranges[i].last, false,
                                           "Part " + part + " of the treaty event closes"});
        }
    }
    // In date order, so plans list the season as it unfolds.
    std::stable_sort(workflow.milestones.begin(), workflow.milestones.end(),
                     [](const Milestone& a, const Milestone& b) { return a.date < b.date; });

    auto& steps = workflow.steps;
    // Invitation, reminders, booklet, signing slots, event reminder, follow-up and
    // one acknowledgement per intent: allocated once (10,000 campaigns load at once).
    steps.reserve(1 + offsets.size() + 4 + std::size(kIntents));
    steps.push_back({"invitation", "Invite every State to undertake treaty actions at the event",
                     AtTrigger{"letter_date", Days{0}, time}, Audience::all(), LetterAction{"invitation", {}}, "", {}});
    for (const std::int64_t offset : offsets) {
        const std::string days_before = std::to_string(-offset);
        steps.push_back({"deadline_reminder_" + days_before,
                         "Remind the States that have not answered, " + days_before +
                             " days before the notification deadline",
                         AtTrigger{"notification_deadline", offset_days(opt::reminder_offsets, offset), time},
                         Audience::without_response(),
                         LetterAction{"deadline_reminder", {}}, "notification_deadline",
                         MisfirePolicy{MisfirePolicy::Kind::SkipWhenLate, kReminderGrace}});
    }
    steps.push_back({"publish_booklet", "Staff publish the Focus booklet on the highlighted treaties",
                     AtTrigger{"event_start", booklet_offset, time}, Audience::staff(), TaskAction{"publish_booklet"},
                     "", {}});
    steps.push_back({"arrange_signing_slots", "Staff arrange signing slots for the States that notified",
                     AtTrigger{"notification_deadline", Days{1}, time}, Audience::staff(),
                     TaskAction{"arrange_signing_slots"}, "", {}});
    // Every State that has not declined: those that notified need the arrangements
    // for their slot; the silent ones may still undertake treaty actions at the event.
    steps.push_back({"event_reminder", "Remind the States that have not declined of the event days and arrangements",
                     AtTrigger{"event_start", event_reminder_offset, time}, Audience::matching(kNotDeclined, "States that have not declined"),
                     LetterAction{"event_reminder", {}}, "", {}});
    steps.push_back({"follow_up", "Thank States and offer assistance with implementation",
                     AtTrigger{"event_end", follow_up_offset, time}, Audience::all(), LetterAction{"follow_up", {}},
                     "", {}});
    // The day after a State notifies an intention, thank it and confirm the treaty.
    for (const auto& intent : kIntents)
        steps.push_back({std::string(kAcknowledgementPrefix) + intent.action,
                         std::string("Acknowledge a State's notified intention to ") + intent.action + " a treaty",
                         OnResponseTrigger{intent.kind, Days{1}, time}, Audience::all(),
                         LetterAction{"acknowledgement", {}}, "", {}});

    workflow.values = language_values(params, schedule, deadline, std::string(kDefaultLanguage));
    workflow.values.scalars["signatory"] = params.string(opt::signatory);
    workflow.values.scalars["signatory_title"] = params.string(opt::signatory_title);
    workflow.values.scalars["event_year"] = std::to_string(schedule.year);
    for (const auto& language : supported_languages())
        if (language != kDefaultLanguage) workflow.values_by_language[language] = language_values(params, schedule, deadline, language);
    // Derived dates are the rule's, not an announcement's: the operator should know which.
    workflow.notes.push_back(params.has(opt::event_dates)
                                 ? "event dates " + format_date_ranges(schedule.ranges, kDefaultLanguage) + " as given in event_dates"
                                 : "event dates " + format_date_ranges(schedule.ranges, kDefaultLanguage) +
                                       " derived from the General Assembly's rules (opening of the general debate of "
                                       "the " + format_ordinal(session_number(schedule.year), kDefaultLanguage) +
                                       " session); set event_dates once they are announced");
    const std::vector<std::string>& treaties = params.strings(opt::treaties);
    if (!treaties.empty()) {
        std::map<std::string, Enclosure> list_in;  // language -> the list, written once
        for (const auto& language : supported_languages()) list_in[language] = treaty_list(params, schedule.year, language);
        for (const auto& step : workflow.steps) {
            if (step.id != "invitation" && step.id.rfind("deadline_reminder_", 0) != 0) continue;
            for (const auto& language : supported_languages())
                workflow.enclosures[language == kDefaultLanguage ? step.id : step.id + "@" + language] = {
                    list_in[language]};
        }
    }
    // Mustache has no "non-empty list" test: a key present only with treaties lets
    // templates write {{#has_treaties}}...{{/has_treaties}} around the list's heading.
    if (!treaties.empty()) workflow.values.scalars["has_treaties"] = "yes";
    return workflow;
}

std::vector<ResponseKind> TreatyEventType::response_kinds() const {
    using P = ResponseKind::Payload;
    return {
        {kind::intends_to_sign, "The State intends to sign the treaty at the event", P::Treaty},
        {kind::intends_to_ratify, "The State intends to ratify the treaty (or accept or approve it) at the event",
         P::Treaty},
        {kind::intends_to_accede, "The State intends to accede to the treaty at the event", P::Treaty},
        {kind::declined, "The State will undertake no treaty action at the event (withdraws earlier intentions)",
         P::Note},
    };
}

bool TreatyEventType::matches(const std::string& predicate, const State& state,
                              const std::vector<Response>& own_responses, const FiringContext& firing) const {
    if (predicate == kNotDeclined) return !has_declined(own_responses);
    return CampaignType::matches(predicate, state, own_responses, firing);
}

TemplateValues TreatyEventType::firing_values(const FiringContext& firing, const std::vector<Response>& responses) const {
    const std::string& step_id = firing.occurrence.step->id;
    const CampaignContext& context = firing.campaign;
    TemplateValues values;
    if (step_id.rfind(kAcknowledgementPrefix, 0) == 0) {
        for (const auto& intent : kIntents)
            if (step_id.substr(kAcknowledgementPrefix.size()) == intent.action)
                values.scalars["intended_action"] = phrase_in(intent, firing.language);
        return values;
    }
    if (step_id != "arrange_signing_slots") return values;
    std::map<std::string, std::vector<Response>> by_state;  // alpha-3 -> its responses, in time order
    for (const auto& r : responses) by_state[r.state].push_back(r);

    // One slot per State, treaty and action, sorted by State name then treaty.
    std::set<std::tuple<std::string, std::string, std::string>> slots;
    std::set<std::string> states;
    std::map<std::string, int> per_action;
    for (const auto& [code, own] : by_state) {
        if (has_declined(own)) continue;
        const State* state = context.roster.find(code);
        const std::string name = state ? state->name : code;
        for (const auto& r : own) {
            const Intent* intent = intent_of(r.kind);
            if (!intent) continue;
            if (slots.emplace(name, r.payload, intent->action).second) ++per_action[intent->action];
            states.insert(code);
        }
    }
    auto& list = values.lists["signing_slots"];
    for (const auto& [state, treaty, action] : slots) list.push_back(state + " — " + treaty + " (" + action + ")");
    values.scalars["signing_slot_count"] = std::to_string(slots.size());
    values.scalars["signing_state_count"] = std::to_string(states.size());
    for (const auto& intent : kIntents)
        values.scalars[std::string("signing_slots_") + intent.action + "_count"] = std::to_string(per_action[intent.action]);
    // Mustache has no "non-empty list" test (see has_treaties).
    if (!slots.empty()) values.scalars["has_signing_slots"] = "yes";
    return values;
}

}  // namespace outreach::treaty_event

OUTREACH_PLUGIN("treaty_event", "1.1.0", outreach::treaty_event::TreatyEventType)
