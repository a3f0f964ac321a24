#include "ct_strategy_review.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>

#include "option_names.hpp"
#include "period_text.hpp"
#include "speaker_registrations.hpp"
#include "strategy_pillars.hpp"

namespace outreach::ct_strategy_review {
namespace {

constexpr const char* kAttending = "attending";  // the audience predicate
constexpr std::int64_t kMaxOffsetDays = 3650;     // larger offsets are typos, and would overflow chrono::days
const std::vector<std::string> kPermanentMissions{"permanent_representative"};

std::vector<OptionSpec> option_table() {
    using V = OptionValue;
    return {
        {opt::meeting_title, OptionType::String,
         V{std::string{"informal meeting of the General Assembly"}}, false,
         "What the meeting is called in the letters (\"I intend to convene an <meeting_title> on <meeting_date> to "
         "discuss ...\") and tasks. meeting_title_fr / meeting_title_es: in French and Spanish letters, a feminine "
         "noun without article (\"réunion informelle de l'Assemblée générale\", \"reunión oficiosa de la Asamblea "
         "General\").",
         true},
        {opt::letter_date, OptionType::Date, std::nullopt, true,
         "Date of the letter convening the meeting; the invitation goes out on this day."},
        {opt::meeting_date, OptionType::Date, std::nullopt, true, "Day of the meeting; must be after letter_date."},
        {opt::programme_lead_days, OptionType::Integer, V{std::int64_t{14}}, false,
         "The letter with the detailed programme, structured by the Strategy's four pillars, goes out this many "
         "days before the meeting (at least 1, and after letter_date)."},
        {opt::speakers_deadline, OptionType::Date, std::nullopt, false,
         "The list of speakers closes on this date (a deadline: no speakers' reminder at or after it). After "
         "letter_date, not after meeting_date. Default: 5 days before the meeting."},
        {opt::speakers_reminder_offset, OptionType::Integer, V{std::int64_t{-3}}, false,
         "Reminder to the States that have not answered, in days relative to speakers_deadline (negative, and "
         "after letter_date)."},
        {opt::formal_review_date, OptionType::Date, std::nullopt, true,
         "First day of the formal review of the Strategy's implementation by the General Assembly; after the "
         "meeting."},
        {opt::formal_review_end, OptionType::Date, std::nullopt, false,
         "Last day of the formal review. Default: formal_review_date (one day)."},
        {opt::formal_review_invitation_offset, OptionType::Integer, V{std::int64_t{-60}}, false,
         "Invitation to the formal review, in days relative to formal_review_date (negative, and after "
         "meeting_date)."},
        {opt::signatory, OptionType::String, std::nullopt, true,
         "Name under which the letters are signed, e.g. \"Srgjan Kerim\"."},
        {opt::signatory_title, OptionType::String, V{std::string{"President of the General Assembly"}}, false,
         "Title of the signatory, shown in the letterhead (\"THE PRESIDENT OF THE GENERAL ASSEMBLY\")."},
        {opt::strategy_adopted, OptionType::Date, V{make_date(2006, 9, 8)}, false,
         "Date the General Assembly adopted the Strategy (resolution 60/288); before letter_date."},
        {opt::send_time, OptionType::Time, V{LocalTime{9, 0}}, false,
         "Local time of day (HH:MM, campaign time zone) at which every step fires."},
    };
}

Days offset_days(const char* option, std::int64_t value) {
    if (value < -kMaxOffsetDays || value > kMaxOffsetDays)
        fail_option(option, std::to_string(value) + " days is more than ten years; offsets count days");
    return Days(value);
}

// The meeting's dates, checked against each other.
struct Schedule {
    Date strategy_adopted, letter_date, programme, speakers_deadline, speakers_reminder, meeting, formal_review,
        formal_review_end, formal_review_invitation;
};

Schedule schedule(const Params& params) {
    Schedule s{};
    s.strategy_adopted = params.date(opt::strategy_adopted);
    s.letter_date = params.date(opt::letter_date);
    s.meeting = params.date(opt::meeting_date);
    if (!(s.strategy_adopted < s.letter_date))
        fail_option(opt::strategy_adopted, format_date(s.strategy_adopted) + " is not before letter_date " + format_date(s.letter_date));
    if (!(s.letter_date < s.meeting))
        fail_option(opt::meeting_date, format_date(s.meeting) + " is not after letter_date " + format_date(s.letter_date));

    const std::int64_t lead = params.integer(opt::programme_lead_days);
    if (lead < 1) fail_option(opt::programme_lead_days, std::to_string(lead) + " must be at least 1 (days before the meeting)");
    s.programme = s.meeting - offset_days(opt::programme_lead_days, lead);
    if (!(s.letter_date < s.programme))
        fail_option(opt::programme_lead_days, std::to_string(lead) + " days before the meeting is " + format_date(s.programme) +
                                           ", not after letter_date " + format_date(s.letter_date) +
                                           "; use fewer days");

    s.speakers_deadline = params.has(opt::speakers_deadline) ? params.date(opt::speakers_deadline) : s.meeting - Days{5};
    if (!(s.letter_date < s.speakers_deadline) || s.meeting < s.speakers_deadline)
        fail_option(opt::speakers_deadline, format_date(s.speakers_deadline) + " is not between letter_date " +
                                         format_date(s.letter_date) + " (excluded) and meeting_date " +
                                         format_date(s.meeting));
    const std::int64_t reminder = params.integer(opt::speakers_reminder_offset);
    if (reminder >= 0)
        fail_option(opt::speakers_reminder_offset, std::to_string(reminder) +
                                                " would remind States when the list of speakers has closed; use a "
                                                "negative number of days before speakers_deadline, e.g. -3");
    s.speakers_reminder = s.speakers_deadline + offset_days(opt::speakers_reminder_offset, reminder);
    if (!(s.letter_date < s.speakers_reminder))
        fail_option(opt::speakers_reminder_offset, std::to_string(reminder) + " places the reminder on " +
                                                format_date(s.speakers_reminder) + ", not after letter_date " +
                                                format_date(s.letter_date));

    s.formal_review = params.date(opt::formal_review_date);
    s.formal_review_end = params.has(opt::formal_review_end) ? params.date(opt::formal_review_end) : s.formal_review;
    if (!(s.meeting < s.formal_review))
        fail_option(opt::formal_review_date, format_date(s.formal_review) + " is not after meeting_date " + format_date(s.meeting));
    if (s.formal_review_end < s.formal_review)
        fail_option(opt::formal_review_end, format_date(s.formal_review_end) + " is before formal_review_date " +
                                         format_date(s.formal_review));
    const std::int64_t invitation = params.integer(opt::formal_review_invitation_offset);
    if (invitation >= 0)
        fail_option(opt::formal_review_invitation_offset,
             std::to_string(invitation) + " must be negative (days before formal_review_date)");
    s.formal_review_invitation = s.formal_review + offset_days(opt::formal_review_invitation_offset, invitation);
    if (!(s.meeting < s.formal_review_invitation))
        fail_option(opt::formal_review_invitation_offset, std::to_string(invitation) + " places the invitation on " +
                                                       format_date(s.formal_review_invitation) +
                                                       ", not after meeting_date " + format_date(s.meeting));
    return s;
}

}  // namespace

std::string CtStrategyReviewType::name() const { return "ct_strategy_review"; }

std::string CtStrategyReviewType::description() const {
    return "General Assembly meeting on the Global Counter-Terrorism Strategy: invitation, programme by pillar, "
           "list of speakers, reminders, the formal review";
}

std::vector<OptionSpec> CtStrategyReviewType::options() const { return option_table(); }

std::vector<ResponseKind> CtStrategyReviewType::response_kinds() const {
    return {
        {kind::will_speak, "The State inscribes on the list of speakers for a pillar (1-4); it attends",
         ResponseKind::Payload::Pillar},
        {kind::will_attend, "The State attends without speaking", ResponseKind::Payload::None},
        {kind::declined, "The State will not attend (note: its reasons); withdraws earlier registrations",
         ResponseKind::Payload::Note},
    };
}

Workflow CtStrategyReviewType::build_workflow(const CampaignContext& context) const {
    const Params& params = context.params;
    require_text(params, opt::meeting_title);
    require_text(params, opt::signatory);
    require_text(params, opt::signatory_title);
    const Schedule s = schedule(params);
    const LocalTime time = params.time(opt::send_time);

    Workflow workflow;
    workflow.milestones = {
        {"letter_date", s.letter_date, false, "The meeting is convened"},
        {"programme", s.programme, false, "The detailed programme is sent"},
        {"speakers_deadline", s.speakers_deadline, true, "The list of speakers closes"},
        {"meeting", s.meeting, false, "The meeting"},
        {"formal_review", s.formal_review, false, "The formal review opens"},
    };
    if (s.formal_review_end != s.formal_review)
        workflow.milestones.push_back({"formal_review_end", s.formal_review_end, false, "The formal review closes"});
    std::stable_sort(workflow.milestones.begin(), workflow.milestones.end(),
                     [](const Milestone& a, const Milestone& b) { return a.date < b.date; });

    const Days reminder_offset = s.speakers_reminder - s.speakers_deadline;
    const Days invitation_offset = s.formal_review_invitation - s.formal_review;
    auto& steps = workflow.steps;
    steps.push_back({"invitation", "Convene the meeting: every Permanent Representative and Permanent Observer",
                     AtTrigger{"letter_date", Days{0}, time}, Audience::all(),
                     LetterAction{"invitation", kPermanentMissions}, "", {}});
    steps.push_back({"programme", "Send the detailed programme, structured by the four pillars",
                     AtTrigger{"programme", Days{0}, time}, Audience::all(),
                     LetterAction{"programme", kPermanentMissions}, "", {}});
    steps.push_back({"speakers_reminder", "Remind the States that have not answered before the list of speakers closes",
                     AtTrigger{"speakers_deadline", reminder_offset, time}, Audience::without_response(),
                     LetterAction{"speakers_reminder", kPermanentMissions}, "speakers_deadline",
                     MisfirePolicy{MisfirePolicy::Kind::SkipWhenLate, std::chrono::hours(48)}});
    steps.push_back({"day_before_reminder", "Remind the States attending, the day before the meeting",
                     AtTrigger{"meeting", Days{-1}, time}, Audience::matching(kAttending, "States attending the meeting"),
                     LetterAction{"day_before_reminder", kPermanentMissions}, "",
                     // A reminder read after the meeting has begun is noise.
                     MisfirePolicy{MisfirePolicy::Kind::SkipWhenLate, std::chrono::hours(12)}});
    steps.push_back({"post_meeting_task", "Staff: the speakers by pillar and the follow-up of the meeting",
                     AtTrigger{"meeting", Days{1}, time}, Audience::staff(), TaskAction{"post_meeting_task"}, "", {}});
    steps.push_back({"formal_review_invitation", "Invite every State to the formal review",
                     AtTrigger{"formal_review", invitation_offset, time}, Audience::all(),
                     LetterAction{"formal_review_invitation", kPermanentMissions}, "", {}});

    const std::string& signatory_title = params.string(opt::signatory_title);
    // What each language words itself: dates ("4 to 5 September 2008", "du 4 au 5
    // septembre 2008"), spans of time, the title and the pillars' headings.
    const auto values_in = [&](const std::string& language) {
        TemplateValues values;
        values.scalars = {
            {"meeting_date_text", format_date_long(s.meeting, language)},
            {"letter_date_text", format_date_long(s.letter_date, language)},
            {"speakers_deadline_text", format_date_long(s.speakers_deadline, language)},
            {"strategy_adopted_text", format_date_long(s.strategy_adopted, language)},
            {"formal_review_dates_text",
             format_date_ranges({DateRange{s.formal_review, s.formal_review_end}}, language)},
            {"meeting_title", params.string_in(opt::meeting_title, language)},
            {"since_adoption_text", period_text(months_between(s.strategy_adopted, s.letter_date), language)},
            {"until_formal_review_text", period_text(months_between(s.letter_date, s.formal_review), language)},
            {"letterhead", format_letterhead(signatory_title, language)},
        };
        for (const auto& pillar : strategy_pillars()) values.lists["pillars"].push_back(pillar_line(pillar, language));
        return values;
    };
    for (const auto& language : supported_languages())
        if (language != kDefaultLanguage) workflow.values_by_language[language] = values_in(language);
    workflow.values = values_in(std::string(kDefaultLanguage));
    auto& scalars = workflow.values.scalars;
    scalars.insert({
        {"signatory", params.string(opt::signatory)},
        {"signatory_title", signatory_title},
    });
    for (const auto& pillar : strategy_pillars()) {
        const std::string key = "pillar_" + std::to_string(pillar.number);
        scalars[key + "_numeral"] = pillar.numeral;
        scalars[key + "_name"] = pillar.name;
        scalars[key + "_title"] = pillar.title;
    }
    return workflow;
}

bool CtStrategyReviewType::matches(const std::string& predicate, const State&, const std::vector<Response>& own_responses,
                                   const FiringContext&) const {
    if (predicate == kAttending) return is_attending(own_responses);
    throw std::runtime_error("campaign type ct_strategy_review has no audience predicate '" + predicate +
                             "' (known: attending)");
}

TemplateValues CtStrategyReviewType::firing_values(const FiringContext& firing,
                                                   const std::vector<Response>& responses) const {
    const RegistrationSummary summary = summarise_registrations(firing.campaign.roster, responses);
    TemplateValues values;
    std::size_t speakers = 0;
    for (const auto& pillar : strategy_pillars()) {
        const auto& names = summary.speakers[static_cast<std::size_t>(pillar.number - 1)];
        const std::string key = "speakers_pillar_" + std::to_string(pillar.number);
        values.lists[key] = names;
        values.scalars[key + "_count"] = std::to_string(names.size());
        // Mustache has no "non-empty list" test: present only when someone inscribed.
        if (!names.empty()) values.scalars["has_" + key] = "yes";
        speakers += names.size();
    }
    values.scalars["speakers_count"] = std::to_string(speakers);
    values.scalars["attending_count"] = std::to_string(summary.attending.size());
    values.scalars["declined_count"] = std::to_string(summary.declined.size());
    values.lists["attending_states"] = summary.attending;
    values.lists["declined_states"] = summary.declined;
    return values;
}

}  // namespace outreach::ct_strategy_review

OUTREACH_PLUGIN("ct_strategy_review", "1.1.0", outreach::ct_strategy_review::CtStrategyReviewType)
