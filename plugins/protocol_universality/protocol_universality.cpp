#include "protocol_universality.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <stdexcept>

#include "follow_up_schedule.hpp"
#include "option_names.hpp"
#include "universality_tally.hpp"

namespace outreach::protocol_universality {
namespace {

// Audience predicates.
namespace predicate {
constexpr const char* not_bound = "not_bound";
constexpr const char* priority_not_bound = "priority_not_bound";
constexpr const char* other_not_bound = "other_not_bound";
}  // namespace predicate

constexpr const char* kConferenceReportPrefix = "conference_report_";
constexpr std::int64_t kMaxOffsetDays = 3650;  // larger offsets are typos, and would overflow chrono::days
const std::vector<std::string> kHeadOfState{"head_of_state"};

std::vector<OptionSpec> option_table() {
    using V = OptionValue;
    return {
        {opt::instrument, OptionType::String, std::nullopt, true,
         "Full title of the instrument, quoted in the letters, e.g. \"Amended Protocol II on Prohibitions or "
         "Restrictions on the Use of Mines, Booby-Traps and Other Devices annexed to the Convention on ... (CCW)\". "
         "instrument_fr / instrument_es: its official French and Spanish title, without article (\"Protocole sur "
         "...\", \"Protocolo sobre ...\").",
         true},
        {opt::instrument_short, OptionType::String, V{std::string{"Amended Protocol II"}}, false,
         "Short name of the instrument used in the body of the letters. instrument_short_fr / instrument_short_es: "
         "in French and Spanish letters (\"Protocole II modifié\", \"Protocolo II Enmendado\").",
         true},
        {opt::adopted, OptionType::Date, V{make_date(1996, 5, 3)}, false,
         "Date the instrument was adopted; must be before letter_date."},
        {opt::letter_date, OptionType::Date, std::nullopt, true,
         "Date of the invitation letter; the invitations go out on this day."},
        {opt::bound_states_file, OptionType::String, std::nullopt, true,
         "File of the States already bound on letter_date: one ISO alpha-3 code per line, '#' starts a comment; "
         "relative to the campaign file's directory. These States are not written to."},
        {opt::priority_group_file, OptionType::String, std::nullopt, false,
         "File of the priority group (States party to the original Protocol II), same format. Those not bound "
         "receive the invitation_priority letter instead of invitation. Absent: no priority group."},
        {opt::follow_up_rrule, OptionType::String, V{std::string{"FREQ=MONTHLY;INTERVAL=6"}}, false,
         "RFC 5545 recurrence of the follow-up letters, started on letter_date (the invitation itself is not "
         "repeated): every State not bound by then is written to again, until campaign_end."},
        {opt::campaign_end, OptionType::Date, std::nullopt, true,
         "Follow-ups stop: none is sent on or after this date (a deadline). Must be after letter_date."},
        {opt::conference_dates, OptionType::DateRanges, V{std::vector<DateRange>{}}, false,
         "Annual conferences of the States parties (November), as inclusive ranges in date order, e.g. "
         "[[2006-11-06, 2006-11-06], [2007-11-05, 2007-11-05]]. Before each, staff receive a report of the States "
         "bound now against the start (step conference_report_<n>, n from 1)."},
        {opt::conference_report_offset, OptionType::Integer, V{std::int64_t{-7}}, false,
         "Days relative to the first day of each conference for its report (zero or negative)."},
        {opt::signatory, OptionType::String, std::nullopt, true,
         "Name under which the letters are signed, e.g. \"Kofi A. Annan\"."},
        {opt::signatory_title, OptionType::String, V{std::string{"Secretary-General"}}, false,
         "Title of the signatory, shown in the letterhead (\"THE SECRETARY-GENERAL\")."},
        {opt::send_time, OptionType::Time, V{LocalTime{9, 0}}, false,
         "Local time of day (HH:MM, campaign time zone) at which every step fires."},
    };
}

int year_of(Date date) { return static_cast<int>(std::chrono::year_month_day{date}.year()); }

std::string range_label(std::size_t index, const DateRange& range) {
    return "conference " + std::to_string(index + 1) + " [" + format_date(range.first) + ", " +
           format_date(range.last) + "]";
}

std::string conference_text(const DateRange& range) {
    if (range.first == range.last) return format_date_long(range.first);
    return format_date_long(range.first) + " to " + format_date_long(range.last);
}

void check_conferences(const std::vector<DateRange>& ranges, Date letter_date, Days report_offset) {
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        if (ranges[i].last < ranges[i].first)
            fail_option(opt::conference_dates, range_label(i, ranges[i]) + " ends before it starts");
        if (ranges[i].first + report_offset < letter_date)
            fail_option(opt::conference_dates, range_label(i, ranges[i]) + ": its report (" +
                                            format_date(ranges[i].first + report_offset) +
                                            ") would fall before letter_date " + format_date(letter_date) +
                                            "; list only conferences after the letter");
        if (i > 0 && ranges[i].first <= ranges[i - 1].last)
            fail_option(opt::conference_dates, range_label(i, ranges[i]) + " does not start after " +
                                            range_label(i - 1, ranges[i - 1]) + "; list the conferences in date order");
    }
}

Days report_offset(const Params& params) {
    const std::int64_t days = params.integer(opt::conference_report_offset);
    if (days > 0)
        fail_option(opt::conference_report_offset, std::to_string(days) +
                                                " would report after the conference has opened; use zero or a "
                                                "negative number of days");
    if (days < -kMaxOffsetDays) fail_option(opt::conference_report_offset, std::to_string(days) + " days is more than ten years");
    return Days(days);
}

// conference_report_<n> -> n (1-based), 0 for any other step.
std::size_t conference_number(const std::string& step_id) {
    const std::string prefix = kConferenceReportPrefix;
    if (step_id.rfind(prefix, 0) != 0) return 0;
    try {
        return static_cast<std::size_t>(std::stoul(step_id.substr(prefix.size())));
    } catch (const std::exception&) {
        return 0;
    }
}

}  // namespace

std::string ProtocolUniversalityType::name() const { return "protocol_universality"; }

std::string ProtocolUniversalityType::description() const {
    return "Universality drive for an instrument (Amended Protocol II, CCW): invitations to States not bound, "
           "follow-ups until they consent, thanks, reports before the annual conferences";
}

std::vector<OptionSpec> ProtocolUniversalityType::options() const { return option_table(); }

std::vector<ResponseKind> ProtocolUniversalityType::response_kinds() const {
    return {
        {kind::consented, "The State notified its consent to be bound: no more follow-ups, a letter of thanks",
         ResponseKind::Payload::None},
        {kind::in_progress, "The State reports its consent is in preparation (note: where it stands)",
         ResponseKind::Payload::Note},
        {kind::declined, "The State does not intend to consent for now (note: its reasons)",
         ResponseKind::Payload::Note},
    };
}

Workflow ProtocolUniversalityType::build_workflow(const CampaignContext& context) const {
    const Params& params = context.params;
    require_text(params, opt::instrument);
    require_text(params, opt::instrument_short);
    require_text(params, opt::signatory);
    const Date adopted = params.date(opt::adopted);
    const Date letter_date = params.date(opt::letter_date);
    const Date campaign_end = params.date(opt::campaign_end);
    if (!(adopted < letter_date))
        fail_option(opt::adopted, format_date(adopted) + " is not before letter_date " + format_date(letter_date));
    if (!(letter_date < campaign_end))
        fail_option(opt::campaign_end, format_date(campaign_end) + " is not after letter_date " + format_date(letter_date));

    const std::string& rrule = params.string(opt::follow_up_rrule);
    std::optional<Days> first_follow_up;
    try {
        first_follow_up = first_follow_up_offset(rrule, letter_date, campaign_end);
    } catch (const std::invalid_argument& e) {
        fail_option(opt::follow_up_rrule, e.what());
    }
    if (!first_follow_up)
        fail_option(opt::follow_up_rrule, "'" + rrule + "' started on letter_date " + format_date(letter_date) +
                                       " has no occurrence after it and before campaign_end " +
                                       format_date(campaign_end) + "; choose a shorter interval or a later campaign_end");

    const Days conference_offset = report_offset(params);
    const std::vector<DateRange>& conferences = params.date_ranges(opt::conference_dates);
    check_conferences(conferences, letter_date, conference_offset);

    const auto lists = load_state_lists(context);  // throws naming file:line:column
    const LocalTime time = params.time(opt::send_time);

    Workflow workflow;
    workflow.milestones.push_back({"letter_date", letter_date, false, "Invitations are sent"});
    workflow.milestones.push_back({"campaign_end", campaign_end, true, "Follow-ups stop"});
    for (std::size_t i = 0; i < conferences.size(); ++i) {
        const std::string n = std::to_string(i + 1);
        workflow.milestones.push_back(
            {"conference_" + n, conferences[i].first, false, "Annual conference of the States parties opens"});
        if (conferences[i].last != conferences[i].first)
            workflow.milestones.push_back(
                {"conference_" + n + "_end", conferences[i].last, false, "Annual conference of the States parties closes"});
    }
    std::stable_sort(workflow.milestones.begin(), workflow.milestones.end(),
                     [](const Milestone& a, const Milestone& b) { return a.date < b.date; });

    auto& steps = workflow.steps;
    if (lists->priority)
        steps.push_back({"invitation_priority",
                         "Invite States party to the original instrument but not bound, with their own paragraph",
                         AtTrigger{"letter_date", Days{0}, time}, Audience::matching(predicate::priority_not_bound,
                                                                             "States of the priority group not yet bound"),
                         LetterAction{"invitation_priority", kHeadOfState}, "", {}});
    steps.push_back({"invitation", "Invite every other State not bound to consent to be bound",
                     AtTrigger{"letter_date", Days{0}, time}, Audience::matching(predicate::other_not_bound, "other States not yet bound"),
                     LetterAction{"invitation", kHeadOfState}, "", {}});
    steps.push_back({"follow_up", "Write again to every State not bound yet",
                     EveryTrigger{rrule, "letter_date", *first_follow_up, "campaign_end", time},
                     Audience::matching(predicate::not_bound, "States not yet bound"), LetterAction{"follow_up", kHeadOfState}, "campaign_end",
                     {}});
    steps.push_back({"thank_you", "Thank a State the day after it notified its consent",
                     OnResponseTrigger{kind::consented, Days{1}, time}, Audience::all(),
                     LetterAction{"thank_you", kHeadOfState}, "", {}});
    for (std::size_t i = 0; i < conferences.size(); ++i) {
        const std::string n = std::to_string(i + 1);
        steps.push_back({kConferenceReportPrefix + n,
                         "Staff report the States bound now against the start, before conference " + n,
                         AtTrigger{"conference_" + n, conference_offset, time}, Audience::staff(),
                         TaskAction{"conference_report"}, "", {}});
    }

    const std::string& signatory_title = params.string(opt::signatory_title);
    std::vector<std::string> conference_texts;
    for (const auto& range : conferences) conference_texts.push_back(conference_text(range));
    workflow.values.scalars = std::map<std::string, std::string>{
        {"instrument", params.string(opt::instrument)},
        {"instrument_short", params.string(opt::instrument_short)},
        {"adopted_text", format_date_long(adopted)},
        {"adopted_year", std::to_string(year_of(adopted))},
        {"signatory", params.string(opt::signatory)},
        {"signatory_title", signatory_title},
        {"letterhead", format_letterhead(signatory_title, kDefaultLanguage)},
        {"bound_at_start", std::to_string(lists->bound.size())},
        {"letter_date_text", format_date_long(letter_date)},
        {"campaign_end_text", format_date_long(campaign_end)},
    };
    workflow.values.lists["conferences"] = conference_texts;
    // The dates in the words of the other languages ("du 1er au 3 mars 2006").
    for (const auto& language : supported_languages()) {
        if (language == kDefaultLanguage) continue;
        TemplateValues& localized = workflow.values_by_language[language];
        localized.scalars = {
            {"instrument", params.string_in(opt::instrument, language)},
            {"instrument_short", params.string_in(opt::instrument_short, language)},
            {"letterhead", format_letterhead(signatory_title, language)},
            {"adopted_text", format_date_long(adopted, language)},
            {"letter_date_text", format_date_long(letter_date, language)},
            {"campaign_end_text", format_date_long(campaign_end, language)},
        };
        for (const auto& range : conferences) localized.lists["conferences"].push_back(format_date_ranges({range}, language));
    }
    workflow.data = lists;
    return workflow;
}

bool ProtocolUniversalityType::matches(const std::string& predicate_name, const State& state,
                                       const std::vector<Response>& own_responses, const FiringContext& firing) const {
    const auto& lists = firing.data<CampaignStateLists>();
    const bool not_bound = !is_bound(lists, state.code, own_responses);
    if (predicate_name == predicate::not_bound) return not_bound;
    if (predicate_name == predicate::priority_not_bound) return not_bound && lists.in_priority_group(state.code);
    if (predicate_name == predicate::other_not_bound) return not_bound && !lists.in_priority_group(state.code);
    throw std::runtime_error("campaign type protocol_universality has no audience predicate '" + predicate_name +
                             "' (known: not_bound, priority_not_bound, other_not_bound)");
}

TemplateValues ProtocolUniversalityType::firing_values(const FiringContext& firing,
                                                       const std::vector<Response>& responses) const {
    const std::string& step_id = firing.occurrence.step->id;
    const CampaignContext& context = firing.campaign;
    const UniversalityTally t = tally(firing.data<CampaignStateLists>(), context.roster, responses, context.timezone);
    TemplateValues values;
    values.scalars = std::map<std::string, std::string>{
        {"bound_at_start", std::to_string(t.bound_at_start)},
        {"bound_now", std::to_string(t.bound_now)},
        {"consented_since", std::to_string(t.consented_since)},
        {"not_bound_count", std::to_string(t.not_bound)},
        {"priority_not_bound_count", std::to_string(t.priority_not_bound)},
    };
    // English words it in one value; French and Spanish templates agree with
    // the count themselves (consented_since_count_one).
    values.scalars["consented_since_count"] = std::to_string(t.consented_since);
    values.scalars["consented_since_text"] = t.consented_since == 1
                                                 ? "one more State has"
                                                 : std::to_string(t.consented_since) + " more States have";
    // Mustache has no "non-empty list" test: keys present only when there is something to list.
    if (!t.new_parties.empty()) values.scalars["has_new_parties"] = "yes";
    if (!t.in_progress.empty()) values.scalars["has_in_progress"] = "yes";
    if (!t.declined.empty()) values.scalars["has_declined"] = "yes";
    values.lists["new_parties"] = t.new_parties;
    values.lists["in_progress_states"] = t.in_progress;
    values.lists["declined_states"] = t.declined;

    if (const std::size_t n = conference_number(step_id); n > 0) {
        const auto& conferences = context.params.date_ranges(opt::conference_dates);
        if (n <= conferences.size()) {
            values.scalars["conference_number"] = std::to_string(n);
            values.scalars["conference_text"] = conference_text(conferences[n - 1]);
        }
    }
    return values;
}

}  // namespace outreach::protocol_universality

OUTREACH_PLUGIN("protocol_universality", "1.1.0", outreach::protocol_universality::ProtocolUniversalityType)
