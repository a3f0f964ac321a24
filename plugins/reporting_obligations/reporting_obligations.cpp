#include "reporting_obligations.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>

#include <date/tz.h>
#include <libical/ical.h>

#include "due_dates_file.hpp"
#include "lateness.hpp"
#include "offset_text.hpp"

namespace outreach::reporting_obligations {
namespace {

// Option names, spelled once: the declaration table and the reads below share them.
namespace opt {
constexpr const char* title = "title";
constexpr const char* short_title = "short_title";
constexpr const char* due_dates = "due_dates";
constexpr const char* campaign_start = "campaign_start";
constexpr const char* campaign_end = "campaign_end";
constexpr const char* reminder_offsets = "reminder_offsets";
constexpr const char* overdue_offset = "overdue_offset";
constexpr const char* escalation_start = "escalation_start";
constexpr const char* escalation_rrule = "escalation_rrule";
constexpr const char* staff_report_rrule = "staff_report_rrule";
constexpr const char* signatory = "signatory";
constexpr const char* signatory_title = "signatory_title";
constexpr const char* send_time = "send_time";
}  // namespace opt

// Response kinds, spelled once.
namespace kind {
constexpr const char* report_submitted = "report_submitted";
constexpr const char* extension_requested = "extension_requested";
constexpr const char* declined = "declined";
}  // namespace kind

// Step, milestone and predicate ids.
constexpr const char* kReminderPrefix = "reminder_";
constexpr const char* kOverdueStep = "overdue";
constexpr const char* kEscalationStep = "escalation";
constexpr const char* kStaffReportStep = "overdue_report";
constexpr const char* kThankYouStep = "thank_you";
constexpr const char* kReportDue = "report_due";
constexpr const char* kEscalationStart = "escalation_start";
constexpr const char* kCampaignStart = "campaign_start";
constexpr const char* kCampaignEnd = "campaign_end";
constexpr const char* kOverduePredicate = "overdue";
constexpr const char* kFirstSubmissionPredicate = "first_submission";
constexpr const char* kEscalationRole = "permanent_representative";

// A reminder that comes more than a week late (downtime) would arrive next to
// the following one: skip it instead.
constexpr auto kReminderGrace = std::chrono::hours(24 * 7);

// What build_workflow() works out once and every hook reads (Workflow::data).
struct ObligationData {
    DueDates due_dates;
    const date::time_zone* zone = nullptr;
    Date campaign_start, campaign_end;
    Offset overdue_offset, escalation_start;
    std::map<std::string, Offset> reminder_of_step;  // reminder step id -> its offset

    Date local_date(Instant at) const {
        const auto local = date::make_zoned(zone, at).get_local_time();
        return Date{std::chrono::floor<Days>(local).time_since_epoch()};
    }
    Date overdue_letter(Date due) const { return apply_offset(due, overdue_offset); }
    Date first_escalation(Date due) const { return apply_offset(overdue_letter(due), escalation_start); }
};

std::vector<OptionSpec> option_table() {
    using V = OptionValue;
    return {
        {opt::title, OptionType::String, std::nullopt, true,
         "The obligation, as the letters name it, e.g. \"national reports under article 7 of the Convention on "
         "the Prohibition of the Use, Stockpiling, Production and Transfer of Anti-Personnel Mines and on their "
         "Destruction\". title_fr / title_es: the same in French and Spanish letters, with its article (\"les "
         "rapports nationaux au titre de l'article 7 ...\", \"los informes nacionales previstos en el artículo 7 "
         "...\").",
         true},
        {opt::short_title, OptionType::String, std::nullopt, false,
         "Short name of the obligation for the subject lines, e.g. \"Article 7 report\". Default: title. "
         "short_title_fr / short_title_es: in French and Spanish letters.",
         true},
        {opt::due_dates, OptionType::String, std::nullopt, true,
         "CSV file of the due dates, relative to the campaign file's directory: the header state,due_date, then "
         "one line per State (alpha-3 code of a State of the campaign's roster, ISO date), e.g. MLI,2009-03-01. "
         "States not listed are not written to. Every due date must fall before campaign_end."},
        {opt::campaign_start, OptionType::Date, std::nullopt, true,
         "Start of the campaign: the staff reports run from this day (the first one on it)."},
        {opt::campaign_end, OptionType::Date, std::nullopt, true,
         "End of the campaign, a deadline: nothing is sent on or after this day. After campaign_start."},
        {opt::reminder_offsets, OptionType::StringList, V{std::vector<std::string>{"-3m", "-1m"}}, false,
         "Reminders before each State's due date, as offsets: a number and a unit, m (months), w (weeks) or d "
         "(days), negative, e.g. [\"-3m\", \"-1m\", \"-14d\"]. One step per offset (\"-3m\": reminder_3m); no "
         "reminder is ever sent on or after the State's due date. [] sends none."},
        {opt::overdue_offset, OptionType::String, V{std::string{"+1m"}}, false,
         "The overdue letter to each State whose report has not arrived, this long after its due date (an "
         "offset as in reminder_offsets, positive)."},
        {opt::escalation_start, OptionType::String, V{std::string{"+6m"}}, false,
         "The first escalation to the Permanent Representative, this long after the overdue letter (positive)."},
        {opt::escalation_rrule, OptionType::String, V{std::string{"FREQ=MONTHLY;INTERVAL=6"}}, false,
         "RFC 5545 recurrence of the escalations from the first one (its DTSTART), until the State's report "
         "arrives or the campaign ends."},
        {opt::staff_report_rrule, OptionType::String, V{std::string{"FREQ=MONTHLY;INTERVAL=3"}}, false,
         "RFC 5545 recurrence of the staff report listing the overdue States, from campaign_start."},
        {opt::signatory, OptionType::String, std::nullopt, true,
         "Name under which the letters are signed, e.g. \"Ban Ki-moon\"."},
        {opt::signatory_title, OptionType::String, V{std::string{"Secretary-General"}}, false,
         "Title of the signatory, shown in the letterhead (\"THE SECRETARY-GENERAL\")."},
        {opt::send_time, OptionType::Time, V{LocalTime{9, 0}}, false,
         "Local time of day (HH:MM, campaign time zone) at which every step fires."},
    };
}

Offset offset_option(const std::string& option, const std::string& text) {
    try {
        return parse_offset(text);
    } catch (const OffsetError& e) {
        fail_option(option, e.what());
    }
}

// RFC 5545 syntax, checked here so the message names the option (the core checks
// every rule again with the workflow).
void check_rrule(const char* option, const std::string& rrule) {
    icalerror_clear_errno();
    const icalrecurrencetype rule = icalrecurrencetype_from_string(rrule.c_str());
    const bool bad = rule.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR;
    const std::string reason = icalerrno != ICAL_NO_ERROR ? icalerror_strerror(icalerrno) : "no FREQ";
    icalerror_clear_errno();
    if (bad) fail_option(option, "'" + rrule + "' is not a valid RFC 5545 RRULE (" + reason + "), e.g. FREQ=MONTHLY;INTERVAL=6");
}

// Reminder offsets: each negative and distinct, earliest reminder first.
std::vector<Offset> reminder_offsets(const Params& params) {
    std::vector<Offset> offsets;
    std::set<std::string> labels;
    for (const std::string& text : params.strings(opt::reminder_offsets)) {
        const Offset offset = offset_option(opt::reminder_offsets, text);
        if (offset_sign(offset) >= 0)
            fail_option(opt::reminder_offsets, "'" + text + "' is not before the due date; reminders need a negative offset, "
                                        "e.g. \"-3m\" (3 months before) or \"-14d\"");
        if (!labels.insert(offset_label(offset)).second)
            fail_option(opt::reminder_offsets, "'" + text + "' is listed twice");
        offsets.push_back(offset);
    }
    // Earliest first; an approximate month (30.44 days) orders "-1m" against "-30d".
    std::stable_sort(offsets.begin(), offsets.end(), [](const Offset& a, const Offset& b) {
        return a.months * 30.44 + static_cast<double>(a.days.count()) <
               b.months * 30.44 + static_cast<double>(b.days.count());
    });
    return offsets;
}

Offset positive_offset(const Params& params, const char* option, const char* what) {
    const std::string& text = params.string(option);
    const Offset offset = offset_option(option, text);
    if (offset_sign(offset) <= 0)
        fail_option(option, "'" + text + "' must be positive: " + what + ", e.g. \"+1m\"");
    return offset;
}

// The short title in `language`: its own translation, else the English short
// title (validate warns), else the title in that language.
const std::string& short_title_in(const Params& params, std::string_view language) {
    if (params.has(language_option_name(opt::short_title, language)) || params.has(opt::short_title))
        return params.string_in(opt::short_title, language);
    return params.string_in(opt::title, language);
}

bool has_kind(const std::vector<Response>& responses, const char* wanted) {
    return std::any_of(responses.begin(), responses.end(), [&](const Response& r) { return r.kind == wanted; });
}

// The latest response of `wanted` among one State's responses (in time order).
const Response* latest(const std::vector<Response>& own, const char* wanted) {
    for (auto it = own.rbegin(); it != own.rend(); ++it)
        if (it->kind == wanted) return &*it;
    return nullptr;
}

std::string state_name(const CampaignContext& campaign, const std::string& code) {
    const State* state = campaign.roster.find(code);
    return state ? state->name : code;
}

}  // namespace

std::string ReportingObligationsType::name() const { return "reporting_obligations"; }

std::string ReportingObligationsType::description() const {
    return "Periodic reports every State owes, each by its own due date: reminders, overdue letter, escalations "
           "to the Permanent Representative until the report arrives, quarterly staff list of overdue States";
}

std::vector<OptionSpec> ReportingObligationsType::options() const { return option_table(); }

std::vector<ResponseKind> ReportingObligationsType::response_kinds() const {
    using P = ResponseKind::Payload;
    return {
        {kind::report_submitted,
         "The State's report has arrived (note: e.g. its document symbol): no more letters to it; thanked the next "
         "day",
         P::Note},
        {kind::extension_requested,
         "The State asks for more time (note: until when, and why): shown to staff and acknowledged in the next "
         "letters, which continue",
         P::Note},
        {kind::declined,
         "The State says it will not report (its reasons in the note): shown to staff; the obligation stands, the "
         "letters continue",
         P::Note},
    };
}

Workflow ReportingObligationsType::build_workflow(const CampaignContext& context) const {
    const Params& params = context.params;
    require_text(params, opt::title);
    require_text(params, opt::signatory);
    if (params.has(opt::short_title)) require_text(params, opt::short_title);
    require_text(params, opt::due_dates);

    auto data = std::make_shared<ObligationData>();
    data->campaign_start = params.date(opt::campaign_start);
    data->campaign_end = params.date(opt::campaign_end);
    if (!(data->campaign_start < data->campaign_end))
        fail_option(opt::campaign_end, format_date(data->campaign_end) + " is not after campaign_start " +
                                    format_date(data->campaign_start));
    const std::vector<Offset> reminders = reminder_offsets(params);
    data->overdue_offset = positive_offset(params, opt::overdue_offset, "the overdue letter follows the due date");
    data->escalation_start =
        positive_offset(params, opt::escalation_start, "the first escalation follows the overdue letter");
    check_rrule(opt::escalation_rrule, params.string(opt::escalation_rrule));
    check_rrule(opt::staff_report_rrule, params.string(opt::staff_report_rrule));
    try {
        data->zone = date::locate_zone(context.timezone);
    } catch (const std::exception& e) {
        throw std::runtime_error("timezone '" + context.timezone + "': " + e.what());
    }

    std::filesystem::path file = params.string(opt::due_dates);
    if (file.is_relative()) file = context.base_dir / file;
    try {
        data->due_dates = read_due_dates(file, [&](const std::string& code) { return context.roster.find(code) != nullptr; });
    } catch (const DueDatesError& e) {
        fail_option(opt::due_dates, e.what());
    }
    for (const DueDateRow& row : data->due_dates.rows)
        if (!(row.due < data->campaign_end))
            fail_option(opt::due_dates, file.string() + ":" + std::to_string(row.line) + ":" +
                                     std::to_string(row.due_column) + ": the due date of " + row.state +
                                     ", " + format_date(row.due) + ", is not before campaign_end " +
                                     format_date(data->campaign_end) +
                                     "; its letters could not go out: move campaign_end or leave the State out");

    // ---- milestones ----
    Milestone report_due{kReportDue, {}, true, "Each State's report is due (a per-State deadline)", {}};
    Milestone escalation_start{kEscalationStart, {}, false,
                               "Escalations to each State's Permanent Representative begin", {}};
    Date earliest = data->due_dates.rows.front().due;
    for (const DueDateRow& row : data->due_dates.rows) {
        report_due.per_state.emplace(row.state, row.due);
        escalation_start.per_state.emplace(row.state, data->first_escalation(row.due));
        earliest = std::min(earliest, row.due);
    }
    report_due.date = earliest;  // unused by the core for per-State milestones; orders the plan
    escalation_start.date = data->first_escalation(earliest);

    Workflow workflow;
    workflow.milestones = {
        {kCampaignStart, data->campaign_start, false, "The campaign begins: the staff reports run from here", {}},
        std::move(report_due),
        std::move(escalation_start),
        {kCampaignEnd, data->campaign_end, true, "The campaign ends: nothing is sent on or after it", {}},
    };
    std::stable_sort(workflow.milestones.begin(), workflow.milestones.end(),
                     [](const Milestone& a, const Milestone& b) { return a.date < b.date; });

    // ---- steps ----
    const LocalTime time = params.time(opt::send_time);
    for (const Offset& offset : reminders) {
        Step step;
        step.id = kReminderPrefix + offset_label(offset);
        step.description = "Remind each State " + describe_offset(offset) + " before its report is due";
        step.trigger = AtTrigger{kReportDue, offset, time};
        step.audience = Audience::all();
        step.action = LetterAction{"reminder", {}};
        step.valid_until = kReportDue;  // each State's own due date
        step.misfire = MisfirePolicy{MisfirePolicy::Kind::SkipWhenLate, kReminderGrace};
        step.until_response = kind::report_submitted;
        data->reminder_of_step.emplace(step.id, offset);
        workflow.steps.push_back(std::move(step));
    }
    {
        Step step;
        step.id = kOverdueStep;
        step.description = "Tell each State whose report has not arrived, " + describe_offset(data->overdue_offset) +
                           " after its due date, that it is overdue";
        step.trigger = AtTrigger{kReportDue, data->overdue_offset, time};
        step.audience = Audience::all();
        step.action = LetterAction{"overdue", {}};
        step.valid_until = kCampaignEnd;
        step.until_response = kind::report_submitted;
        workflow.steps.push_back(std::move(step));
    }
    {
        Step step;
        step.id = kEscalationStep;
        step.description = "Write to the Permanent Representative of each State whose report is still overdue";
        step.trigger = EveryTrigger{params.string(opt::escalation_rrule), kEscalationStart, {}, kCampaignEnd, time};
        step.audience = Audience::all();
        step.action = LetterAction{"escalation", {kEscalationRole}};
        step.valid_until = kCampaignEnd;
        step.until_response = kind::report_submitted;
        workflow.steps.push_back(std::move(step));
    }
    {
        Step step;
        step.id = kStaffReportStep;
        step.description = "Staff report listing the overdue States and how late each is";
        step.trigger = EveryTrigger{params.string(opt::staff_report_rrule), kCampaignStart, {}, kCampaignEnd, time};
        step.audience = Audience::matching(kOverduePredicate, "States whose report is overdue");
        step.action = TaskAction{"overdue_report"};
        step.valid_until = kCampaignEnd;
        workflow.steps.push_back(std::move(step));
    }
    {
        Step step;
        step.id = kThankYouStep;
        step.description = "Thank a State whose report has arrived, the next day";
        step.trigger = OnResponseTrigger{kind::report_submitted, Days{1}, time};
        step.audience = Audience::matching(kFirstSubmissionPredicate, "States submitting their first report");
        step.action = LetterAction{"thank_you", {}};
        step.valid_until = kCampaignEnd;
        workflow.steps.push_back(std::move(step));
    }

    const std::string& title = params.string(opt::title);
    const std::string& signatory_title = params.string(opt::signatory_title);
    workflow.values.scalars = {
        {"title", title},
        {"short_title", short_title_in(params, kDefaultLanguage)},
        {"signatory", params.string(opt::signatory)},
        {"signatory_title", signatory_title},
        {"letterhead", format_letterhead(signatory_title, kDefaultLanguage)},
        {"campaign_start_text", format_date_long(data->campaign_start)},
        {"campaign_end_text", format_date_long(data->campaign_end)},
        {"overdue_offset_text", describe_offset(data->overdue_offset)},
        {"obligated_count", std::to_string(data->due_dates.size())},
    };
    for (const auto& language : supported_languages())
        workflow.values_by_language[language].scalars = {
            {"title", params.string_in(opt::title, language)},
            {"short_title", short_title_in(params, language)},
            {"letterhead", format_letterhead(signatory_title, language)},
            {"campaign_start_text", format_date_long(data->campaign_start, language)},
            {"campaign_end_text", format_date_long(data->campaign_end, language)},
            {"overdue_offset_text", describe_offset(data->overdue_offset, language)},
        };
    if (context.log)
        context.log->debug("{}: {} due dates from {}, {} to {}", context.id, data->due_dates.size(), file.string(),
                           format_date(earliest), [&] {
                               Date last = earliest;
                               for (const auto& row : data->due_dates.rows) last = std::max(last, row.due);
                               return format_date(last);
                           }());
    workflow.data = std::move(data);
    return workflow;
}

bool ReportingObligationsType::matches(const std::string& predicate, const State& state,
                                       const std::vector<Response>& own_responses, const FiringContext& firing) const {
    const auto& data = firing.data<ObligationData>();
    const DueDateRow* row = data.due_dates.find(state.code);
    if (predicate == kOverduePredicate) {
        if (!row || has_kind(own_responses, kind::report_submitted)) return false;
        return data.local_date(firing.occurrence.due) > row->due;
    }
    if (predicate == kFirstSubmissionPredicate) {
        const Response* trigger = firing.occurrence.response;
        if (!row || !trigger) return false;
        const auto first = std::find_if(own_responses.begin(), own_responses.end(),
                                        [](const Response& r) { return r.kind == kind::report_submitted; });
        return first != own_responses.end() && first->at == trigger->at && first->payload == trigger->payload;
    }
    throw std::invalid_argument("reporting_obligations has no audience predicate '" + predicate + "'");
}

TemplateValues ReportingObligationsType::firing_values(const FiringContext& firing,
                                                       const std::vector<Response>& responses) const {
    TemplateValues values;
    if (!firing.occurrence.step || firing.occurrence.step->id != kStaffReportStep) return values;
    const auto& data = firing.data<ObligationData>();
    const Date today = data.local_date(firing.occurrence.due);

    std::map<std::string, std::vector<Response>> by_state;  // alpha-3 -> its responses, in time order
    for (const auto& r : responses) by_state[r.state].push_back(r);
    for (auto& [code, own] : by_state)
        std::stable_sort(own.begin(), own.end(), [](const Response& a, const Response& b) { return a.at < b.at; });

    // Most overdue first (earliest due date), then by name.
    std::vector<std::tuple<Date, std::string, std::string>> overdue;  // due, name, line
    std::vector<std::string> submitted;
    std::size_t pending = 0, obligated = 0;
    for (const DueDateRow& row : data.due_dates.rows) {
        // A State that was not yet one of the roster's on that day (South Sudan
        // before July 2011) owes nothing yet: neither overdue nor pending.
        if (const State* state = firing.campaign.roster.find(row.state); state && !state->status_on(today)) continue;
        ++obligated;
        const auto found = by_state.find(row.state);
        static const std::vector<Response> kNone;
        const std::vector<Response>& own = found == by_state.end() ? kNone : found->second;
        const std::string name = state_name(firing.campaign, row.state);
        if (const Response* report = latest(own, kind::report_submitted)) {
            std::string line = name + " — received " + format_date_long(data.local_date(report->at));
            if (!report->payload.empty()) line += " (" + report->payload + ")";
            submitted.push_back(line);
            continue;
        }
        if (!(today > row.due)) {
            ++pending;
            continue;
        }
        std::string line = name + " — " + describe_lateness(lateness(row.due, today)) + " overdue (due " +
                           format_date_long(row.due) + ")";
        if (const Response* extension = latest(own, kind::extension_requested)) {
            line += "; extension requested " + format_date_long(data.local_date(extension->at));
            if (!extension->payload.empty()) line += ": " + extension->payload;
        }
        if (const Response* declined = latest(own, kind::declined)) {
            line += "; declined " + format_date_long(data.local_date(declined->at));
            if (!declined->payload.empty()) line += ": " + declined->payload;
        }
        overdue.emplace_back(row.due, name, std::move(line));
    }
    std::sort(overdue.begin(), overdue.end());
    std::sort(submitted.begin(), submitted.end());
    auto& overdue_list = values.lists["overdue_states"];
    for (auto& entry : overdue) overdue_list.push_back(std::move(std::get<2>(entry)));
    values.lists["submitted_states"] = std::move(submitted);
    values.scalars["overdue_count"] = std::to_string(overdue_list.size());
    values.scalars["submitted_count"] = std::to_string(values.lists["submitted_states"].size());
    values.scalars["pending_count"] = std::to_string(pending);
    values.scalars["obligated_count"] = std::to_string(obligated);  // on that day
    values.scalars["report_date_text"] = format_date_long(today);
    // Mustache has no "non-empty list" test: keys present only with items.
    if (!overdue_list.empty()) values.scalars["has_overdue"] = "yes";
    if (!values.lists["submitted_states"].empty()) values.scalars["has_submitted"] = "yes";
    return values;
}

TemplateValues ReportingObligationsType::letter_values(const FiringContext& firing, const State& state,
                                                       const std::vector<Response>& own_responses) const {
    TemplateValues values;
    const auto& data = firing.data<ObligationData>();
    const DueDateRow* row = data.due_dates.find(state.code);
    auto& s = values.scalars;
    if (!row) {
        // Same names for every State (the core checks templates against them);
        // a State without a due date is never written to anyway.
        for (const char* name : {"report_due_text", "report_due_iso", "overdue_letter_text", "overdue_by",
                                 "extension_request_date", "extension_request_note"})
            s[name] = "";
        return values;
    }
    const Date today = data.local_date(firing.occurrence.due);
    s["report_due_text"] = format_date_long(row->due, firing.language);
    s["report_due_iso"] = format_date(row->due);
    s["overdue_letter_text"] = format_date_long(data.overdue_letter(row->due), firing.language);
    s["overdue_by"] = "";
    if (today > row->due) {
        s["is_overdue"] = "yes";
        s["overdue_by"] = describe_lateness(lateness(row->due, today), firing.language);
    }
    const std::string& step = firing.occurrence.step ? firing.occurrence.step->id : std::string{};
    if (const auto reminder = data.reminder_of_step.find(step); reminder != data.reminder_of_step.end())
        s["reminder_lead_text"] = describe_offset(reminder->second, firing.language);
    if (step == kEscalationStep) {
        const long number = static_cast<long>(firing.occurrence.index) + 1;
        s["escalation_number"] = std::to_string(number);
        s["escalation_ordinal"] = ordinal_word(number, firing.language);
        s["earlier_escalations"] = std::to_string(number - 1);
        if (number > 1) s["has_earlier_escalations"] = "yes";
    }
    // Every name is always there (the core checks templates against them); the
    // has_* flags say which apply (mustache treats any string as true).
    s["extension_request_date"] = "";
    s["extension_request_note"] = "";
    if (const Response* extension = latest(own_responses, kind::extension_requested)) {
        s["has_extension_request"] = "yes";
        s["extension_request_date"] = format_date_long(data.local_date(extension->at), firing.language);
        if (!extension->payload.empty()) {
            s["has_extension_request_note"] = "yes";
            s["extension_request_note"] = extension->payload;
        }
    }
    return values;
}

}  // namespace outreach::reporting_obligations

OUTREACH_PLUGIN("reporting_obligations", "1.0.0", outreach::reporting_obligations::ReportingObligationsType)
