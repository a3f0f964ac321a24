// convention_drive: a reminder drive for a newly opened convention. The depositary
// invites every State to sign, reminds those that have not answered before the
// reply deadline, and follows up on a recurring rule with the States that have
// neither signed nor declined, until the drive ends.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <outreach/plugin.hpp>

namespace convention_drive {
using namespace outreach;

// ---- options --------------------------------------------------------------
std::vector<OptionSpec> option_table() {
    return {
        {"convention", OptionType::String, std::nullopt, true,
         "Title of the convention, quoted in every letter."},
        {"opened_on", OptionType::Date, std::nullopt, true,
         "Date the convention opened for signature; the invitation goes out on it."},
        {"reply_by", OptionType::Date, std::nullopt, true,
         "Deadline for States to say whether they intend to sign; no reminder is sent on or after it."},
        {"drive_ends", OptionType::Date, std::nullopt, true,
         "End of the drive: no follow-up is sent on or after this day."},
        {"reminder_days_before", OptionType::Integer, OptionValue{std::int64_t{14}}, false,
         "Days before reply_by on which States that have not answered are reminded."},
        {"follow_up_rule", OptionType::String, OptionValue{std::string{"FREQ=MONTHLY;INTERVAL=3"}}, false,
         "RFC 5545 RRULE of the follow-ups; the first one goes out the day after reply_by."},
        {"signatory", OptionType::String, std::nullopt, true, "Name the letters are signed with."},
        {"signatory_title", OptionType::String, OptionValue{std::string{"Secretary-General"}}, false,
         "Title of the signatory."},
        {"send_time", OptionType::Time, OptionValue{LocalTime{9, 0}}, false,
         "Local time of day (campaign time zone) at which every letter goes out."},
    };
}

// ---- response kinds ----------------------------------------------------------
std::vector<ResponseKind> response_table() {
    return {
        {"intends_to_sign", "The State will sign; it is thanked the next day", ResponseKind::Payload::None},
        {"signed", "The State has signed the convention", ResponseKind::Payload::None},
        {"declined", "The State does not intend to sign (reason in the note)", ResponseKind::Payload::Note},
    };
}

bool has_response(const std::vector<Response>& responses, const std::string& kind) {
    return std::any_of(responses.begin(), responses.end(), [&](const Response& r) { return r.kind == kind; });
}

// Milestone and Step have more members than most of them set (per-State dates;
// valid_until, misfire, until_response). These helpers set the usual ones and
// leave the rest at their defaults, so each is one expression.
Milestone milestone(std::string id, Date date, std::string label, bool deadline = false) {
    Milestone m;
    m.id = std::move(id);
    m.date = date;
    m.label = std::move(label);
    m.deadline = deadline;
    return m;
}

Step step(std::string id, std::string description, Trigger trigger, Audience audience, Action action) {
    Step s;
    s.id = std::move(id);
    s.description = std::move(description);
    s.trigger = std::move(trigger);
    s.audience = std::move(audience);
    s.action = std::move(action);
    return s;
}

// ---- the campaign type -----------------------------------------------------------
class ConventionDriveType final : public CampaignType {
public:
    std::string name() const override { return "convention_drive"; }
    std::string description() const override {
        return "Reminder drive for a newly opened convention: invitation, reply reminder, recurring follow-ups";
    }
    std::vector<OptionSpec> options() const override { return option_table(); }
    std::vector<ResponseKind> response_kinds() const override { return response_table(); }

    Workflow build_workflow(const CampaignContext& context) const override {
        const Params& params = context.params;
        const Date opened_on = params.date("opened_on");
        const Date reply_by = params.date("reply_by");
        const Date drive_ends = params.date("drive_ends");
        const std::int64_t days_before = params.integer("reminder_days_before");
        const LocalTime time = params.time("send_time");

        require_text(params, "convention");  // SDK (outreach/options.hpp): "params.convention: must not be blank"
        if (!(opened_on < reply_by))
            fail_option("reply_by", format_date(reply_by) + " is not after opened_on " + format_date(opened_on));
        if (!(reply_by < drive_ends))
            fail_option("drive_ends", format_date(drive_ends) + " is not after reply_by " + format_date(reply_by));
        if (days_before < 1 || days_before >= (reply_by - opened_on).count())
            fail_option("reminder_days_before", std::to_string(days_before) + " must be at least 1 and put the reminder " +
                                             "after the invitation of " + format_date(opened_on));

        Workflow workflow;
        workflow.milestones = {
            milestone("opened_for_signature", opened_on, "The convention opens for signature"),
            milestone("reply_deadline", reply_by, "States say whether they intend to sign", true),
            milestone("drive_end", drive_ends, "The drive ends"),
        };

        Step invitation = step("invitation", "Invite every State to sign the convention",
                               AtTrigger{"opened_for_signature", Days{0}, time}, Audience::all(),
                               LetterAction{"invitation", {}});

        Step reminder = step("reply_reminder", "Remind States that have not answered before the reply deadline",
                             AtTrigger{"reply_deadline", Days{-days_before}, time}, Audience::without_response(),
                             LetterAction{"reply_reminder", {}});
        reminder.valid_until = "reply_deadline";
        // A reminder that comes days late reads oddly: skip it when more than two days late.
        reminder.misfire = MisfirePolicy{MisfirePolicy::Kind::SkipWhenLate, std::chrono::hours(48)};

        Step follow_up = step("follow_up", "Follow up with States that have neither signed nor declined",
                              EveryTrigger{params.string("follow_up_rule"), "reply_deadline", Days{1}, "drive_end", time},
                              Audience::matching("still_undecided"), LetterAction{"follow_up", {}});

        Step thanks = step("thanks", "Thank a State that announced its signature",
                           OnResponseTrigger{"intends_to_sign", Days{1}, time}, Audience::all(),
                           LetterAction{"thanks", {}});

        workflow.steps = {invitation, reminder, follow_up, thanks};
        workflow.values.scalars = {
            {"convention", params.string("convention")},
            {"signatory", params.string("signatory")},
            {"signatory_title", params.string("signatory_title")},
        };
        return workflow;
    }

    // Audience::matching("still_undecided"): the core's without_response takes one
    // kind; this audience excludes two. `own_responses` are this State's own.
    bool matches(const std::string& predicate, const State&, const std::vector<Response>& own_responses,
                 const FiringContext&) const override {
        if (predicate != "still_undecided")
            throw std::invalid_argument("convention_drive has no audience predicate '" + predicate + "'");
        return !has_response(own_responses, "signed") && !has_response(own_responses, "declined");
    }

    // Values computed when a step fires, from every response known at that moment.
    TemplateValues firing_values(const FiringContext& firing, const std::vector<Response>& responses) const override {
        TemplateValues values;
        if (firing.occurrence.step->id != "follow_up") return values;  // only the follow-ups use them
        std::vector<std::string>& signatories = values.lists["signatories"];
        for (const Response& response : responses) {
            if (response.kind != "signed") continue;
            const State* state = firing.campaign.roster.find(response.state);
            signatories.push_back(state ? state->name : response.state);
        }
        std::sort(signatories.begin(), signatories.end());
        signatories.erase(std::unique(signatories.begin(), signatories.end()), signatories.end());
        const std::size_t count = signatories.size();
        values.scalars["signatory_count"] = std::to_string(count);
        values.scalars["signatures_so_far"] = count == 0 ? "No State has signed it so far."
                                              : count == 1 ? "One State has signed it so far:"
                                                           : std::to_string(count) + " States have signed it so far:";
        if (count > 0) values.scalars["has_signatories"] = "yes";
        return values;
    }
};

}  // namespace convention_drive

// ---- the plugin's declaration -------------------------------------------------------
OUTREACH_PLUGIN("convention_drive", "1.0.0", convention_drive::ConventionDriveType)
