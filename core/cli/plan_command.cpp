// `plan`: what each campaign will send between two dates, read-only. With a
// journal (the configured one, or --state-dir's) it also shows what was decided
// already and narrows audiences by the responses recorded there.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>

#include "audience_text.hpp"
#include "commands.hpp"
#include "export/icalendar_writer.hpp"
#include "outreach/clock.hpp"
#include "outreach/version.hpp"
#include "control_status.hpp"
#include "runtime_loading.hpp"
#include "safe_text.hpp"
#include "schedule/audience.hpp"
#include "schedule/occurrences.hpp"
#include "table.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {
namespace {

enum class PlanFormat { Text, Json, Ics };

struct PlanArgs {
    Date from{}, to{};
    std::string format = "text";
    std::filesystem::path state_dir;
};
// The "when" column: the local due time, and the shift when the occurrence was
// rolled off a weekend or holiday ("2007-08-17 09:00 EDT (Sat 18 Aug → Fri 17 Aug)").
std::string when_column(const PlannedOccurrence& o) {
    const std::string shift = describe_roll(o);
    if (!o.roll_note.empty()) return format_local(o.due, o.campaign->timezone()) + " (closed day, not rolled)";
    return format_local(o.due, o.campaign->timezone()) + (shift.empty() ? "" : " (" + shift + ")");
}

struct PlanRow {
    const PlannedOccurrence* occurrence;
    std::string action;     // letter | task
    std::string template_name;
    std::size_t recipients = 0;  // fired: letters delivered; otherwise: letters it would send at its due instant
    std::string status;     // planned (no journal) | pending | fired | skipped | coalesced | before enrolment
    std::string reason;
};

struct CampaignPlan {
    const Campaign* campaign;
    std::vector<PlannedOccurrence> occurrences;  // owns what rows point to
    std::vector<PlanRow> rows;
};

std::string status_text(const PlanRow& r) { return r.status + (r.reason.empty() ? "" : " (" + r.reason + ")"); }

// One row of the text table: every text output of `plan` formats rows here.
std::vector<std::string> text_row(const Campaign& campaign, const PlanRow& r) {
    const auto& o = *r.occurrence;
    return {when_column(o), o.step->id, r.action + " " + r.template_name,
            audience_text(campaign, o), std::to_string(r.recipients), status_text(r)};
}

CampaignPlan plan_campaign(const Runtime& runtime, const Campaign& campaign, Journal* journal, Date from, Date to) {
    CampaignPlan plan{&campaign, {}, {}};
    std::optional<PlanControlNotes> control;  // pause and approval notes (control_status.cpp)
    if (journal) control.emplace(runtime, *journal, campaign, SystemClock().now());
    const auto records = journal ? journal->responses(campaign.id()) : std::vector<ResponseRecord>{};
    const auto responses = responses_until(records, Instant::max());
    plan.occurrences = expand_occurrences(campaign, records);
    const auto enrolled = journal ? journal->enrolled_at(campaign.id()) : std::nullopt;
    std::map<std::pair<std::string, std::string>, OccurrenceRecord> decided;  // one query per campaign
    std::map<std::pair<std::string, std::string>, std::size_t> delivered;
    if (journal) {
        for (auto& rec : journal->occurrences(campaign.id())) decided.emplace(std::pair(rec.step, rec.occurrence), rec);
        for (const auto& d : journal->deliveries(campaign.id()))
            if (d.status == DeliveryStatus::Delivered) ++delivered[{d.letter.step, d.letter.occurrence}];
    }
    const Instant begin = start_of_day(from, campaign.timezone());
    const Instant end = start_of_day(to + Days{1}, campaign.timezone());

    // An audience counted once holds until the roster next changes (an admission,
    // an observer period's start or end): counts are cached per step and period.
    std::vector<Date> roster_changes;
    for (const auto& state : campaign.roster.states()) {
        if (state.admitted) roster_changes.push_back(*state.admitted);
        for (const auto& period : state.observer_periods) {
            roster_changes.push_back(period.since);
            if (period.until) roster_changes.push_back(*period.until);
        }
    }
    std::sort(roster_changes.begin(), roster_changes.end());
    roster_changes.erase(std::unique(roster_changes.begin(), roster_changes.end()), roster_changes.end());
    const auto roster_period = [&](Instant due) {
        const Date day = local_date(due, campaign.timezone());
        return static_cast<std::size_t>(std::upper_bound(roster_changes.begin(), roster_changes.end(), day) -
                                        roster_changes.begin());
    };
    std::map<std::pair<const Step*, std::size_t>, std::size_t> recipients_of_step;
    for (const auto& o : plan.occurrences) {
        if (o.due < begin || o.due >= end) continue;
        PlanRow row{&o, std::holds_alternative<TaskAction>(o.step->action) ? "task" : "letter", {}, 0,
                    journal ? "pending" : "planned", {}};
        row.template_name = row.action == "task" ? std::get<TaskAction>(o.step->action).template_name
                                                 : std::get<LetterAction>(o.step->action).template_name;
        const auto decision = journal ? decided.find({o.step->id, o.id}) : decided.end();
        if (decision != decided.end()) {
            row.status = to_string(decision->second.status);
            row.reason = decision->second.reason;
            if (decision->second.status == OccurrenceStatus::Fired) {
                const auto sent = delivered.find({o.step->id, o.id});
                row.recipients = sent == delivered.end() ? 0 : sent->second;
            }
            plan.rows.push_back(std::move(row));
            continue;
        }
        if (enrolled && o.due < *enrolled) {
            row.status = "before enrolment";
        } else if (control) {
            if (const std::string note = control->note(o); !note.empty()) row.reason = note;
        } else if (campaign.approval_lead(*o.step)) {
            row.reason = "needs approval";
        }
        // Without responses, a campaign-wide step that asks no plugin predicate
        // addresses the same States at every occurrence of a roster period.
        const Milestone* deadline = campaign.workflow.milestone(o.step->valid_until);
        const bool same_every_time = responses.empty() && o.only_state.empty() &&
                                     o.step->audience.kind != Audience::Kind::Predicate &&
                                     !(deadline && deadline->is_per_state());
        if (same_every_time) {
            auto [cached, first] = recipients_of_step.try_emplace({o.step, roster_period(o.due)}, 0);
            if (first) cached->second = count_recipients(o, responses, o.due);
            row.recipients = cached->second;
        } else {
            row.recipients = count_recipients(o, responses, o.due);
        }
        plan.rows.push_back(std::move(row));
    }
    return plan;
}

nlohmann::json to_json(const CampaignPlan& plan) {
    const Campaign& campaign = *plan.campaign;
    nlohmann::json milestones = nlohmann::json::array();
    for (const auto& m : campaign.workflow.milestones) {
        nlohmann::json milestone{{"id", m.id}, {"deadline", m.deadline}, {"label", m.label}};
        if (m.is_per_state()) {
            nlohmann::json dates = nlohmann::json::object();
            for (const auto& [code, date] : m.per_state) dates[code] = format_date(date);
            milestone["per_state"] = std::move(dates);
        } else {
            milestone["date"] = format_date(m.date);
        }
        milestones.push_back(std::move(milestone));
    }
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : plan.rows) {
        const auto& o = *r.occurrence;
        nlohmann::json item{{"step", o.step->id},
                            {"occurrence", o.id},
                            {"due_utc", format_instant_utc(o.due)},
                            {"due_local", format_local(o.due, campaign.timezone())},
                            {"action", r.action},
                            {"template", r.template_name},
                            {"trigger", describe_trigger(campaign, *o.step)},
                            {"audience", audience_text(campaign, o)},
                            {"recipients", r.recipients},
                            {"status", r.status}};
        if (o.valid_until) item["valid_until_utc"] = format_instant_utc(*o.valid_until);
        if (o.rolled()) {
            item["nominal_local"] = format_local(o.nominal_due, campaign.timezone());
            item["roll"] = describe_roll(o);
        }
        if (!o.roll_note.empty()) item["roll_note"] = o.roll_note;
        if (!r.reason.empty()) item["reason"] = r.reason;
        if (!o.only_state.empty()) item["state"] = o.only_state;
        items.push_back(std::move(item));
    }
    return {{"id", campaign.id()},
            {"type", campaign.config.type},
            {"timezone", campaign.timezone()},
            {"states", campaign.roster.size()},
            {"notes", campaign.workflow.notes},
            {"milestones", milestones},
            {"occurrences", items}};
}

void print_text(const CampaignPlan& plan) {
    const Campaign& campaign = *plan.campaign;
    std::cout << campaign.id() << " (" << campaign.config.type << ", " << campaign.roster.size() << " States, "
              << campaign.timezone() << ")\n";
    for (const auto& note : campaign.workflow.notes) std::cout << "  note: " << terminal_safe(note) << "\n";
    for (const auto& m : campaign.workflow.milestones) {
        const std::string when =
            !m.is_per_state() ? format_date(m.date) : "per State (" + std::to_string(m.per_state.size()) + " dates)";
        std::cout << "  " << (m.deadline ? "deadline  " : "milestone ") << when << "  " << m.id
                  << (m.label.empty() ? "" : ": " + m.label) << "\n";
    }
    Table table({"when (local)", "step", "action", "audience", "to", "status"}, "  ");
    for (const auto& r : plan.rows) table.add(text_row(campaign, r));
    table.print(std::cout);
    std::cout << "\n";
}

// The calendar: milestones and deadlines in [from, to] as all-day events, each
// occurrence as a timed event in the campaign's zone. UIDs name the campaign,
// step and occurrence (or milestone), so importing a later export updates.
void add_calendar_events(const CampaignPlan& plan, Date from, Date to, std::vector<CalendarEvent>& events) {
    const Campaign& c = *plan.campaign;
    const std::string& sender = c.config.sender.email;
    const auto at = sender.rfind('@');
    const std::string domain = at == std::string::npos ? "outreach.invalid" : sender.substr(at + 1);
    const auto uid = [&](const std::string& path) { return c.id() + "/" + path + "@" + domain; };
    for (const auto& m : c.workflow.milestones) {
        const std::string kind = m.deadline ? "deadline" : "milestone";
        const std::string what = m.label.empty() ? m.id : m.label;
        auto add = [&](Date date, const std::string& path, const std::string& suffix) {
            if (date < from || date > to) return;
            CalendarEvent e;
            e.uid = uid(kind + "/" + path);
            e.summary = c.id() + " " + kind + ": " + what + suffix;
            e.description = kind + " " + m.id + " of " + c.id() + " (" + c.config.type + ")";
            e.categories = kind;
            e.date = date;
            events.push_back(std::move(e));
        };
        if (!m.is_per_state()) {
            add(m.date, m.id, "");
            continue;
        }
        for (const auto& [code, date] : m.per_state) {
            const State* state = c.roster.find(code);
            add(date, m.id + "/" + code, " (" + (state ? state->name : code) + ")");
        }
    }
    for (const auto& r : plan.rows) {
        const auto& o = *r.occurrence;
        CalendarEvent e;
        e.uid = uid(o.step->id + "/" + o.id);
        e.summary = c.id() + ": " + r.action + " " + r.template_name + " to " +
                    (r.action == "task" ? "staff" : std::to_string(r.recipients) + " (" + audience_text(c, o) + ")");
        e.description = (o.step->description.empty() ? "" : o.step->description + "\n") + "step " + o.step->id +
                        ", " + describe_trigger(c, *o.step) + "\nstatus: " + status_text(r);
        e.categories = r.action;
        e.start = o.due;
        e.zone = c.timezone();
        events.push_back(std::move(e));
    }
}

int plan_command(const CommonOptions& common, const PlanArgs& args) {
    const PlanFormat format =
        args.format == "json" ? PlanFormat::Json : args.format == "ics" ? PlanFormat::Ics : PlanFormat::Text;
    auto loaded = load_for_command(common);
    const Runtime& runtime = *loaded.runtime;
    // Reading must not create anything: a journal is opened only where one exists.
    const std::filesystem::path journal_file =
        args.state_dir.empty() ? runtime.config.global.journal : args.state_dir / "journal.sqlite";
    if (!args.state_dir.empty() && !std::filesystem::is_regular_file(journal_file)) {
        std::cerr << "error: --state-dir: no journal at " << terminal_safe(journal_file.string())
                  << " (give the directory a simulation or `run --state-dir` wrote)\n";
        return kInvalidInput;
    }
    std::unique_ptr<Journal> journal;
    if (std::filesystem::is_regular_file(journal_file)) journal = std::make_unique<Journal>(journal_file);

    std::vector<CalendarEvent> events;
    bool first_json = true;
    if (format == PlanFormat::Json)
        std::cout << "{\"from\": \"" << format_date(args.from) << "\", \"to\": \"" << format_date(args.to)
                  << "\", \"campaigns\": [";
    for (const auto& campaign : runtime.campaigns) {
        const CampaignPlan plan = plan_campaign(runtime, campaign, journal.get(), args.from, args.to);
        switch (format) {
            case PlanFormat::Json:
                // Streamed campaign by campaign: 10,000 campaigns need not sit in memory as JSON.
                std::cout << (first_json ? "\n" : ",\n") << json_text(to_json(plan));
                first_json = false;
                break;
            case PlanFormat::Ics: add_calendar_events(plan, args.from, args.to, events); break;
            case PlanFormat::Text: print_text(plan); break;
        }
    }
    if (format == PlanFormat::Json) std::cout << "\n]}\n";
    if (format == PlanFormat::Ics)
        std::cout << build_icalendar(events, SystemClock().now(),
                                     std::string("-//Outreach//outreach ") + OUTREACH_VERSION_STRING + "//EN");
    const bool had_errors = loaded.had_errors;
    journal.reset();
    loaded.release_at_exit();
    return had_errors ? kInvalidInput : kOk;
}

}  // namespace

CLI::App* register_plan(CLI::App& app, CommonOptions& common, Action& action) {
    auto args = std::make_shared<PlanArgs>();
    auto* cmd = app.add_subcommand("plan", "List what will be sent, and when, between two dates");
    add_date_option(cmd, "--from", args->from, "First day")->required();
    add_date_option(cmd, "--to", args->to, "Last day (inclusive)")->required();
    cmd->add_option("--campaign", common.campaign, "Only this campaign")->type_name("ID");
    cmd->add_option("--format", args->format, "Output format; ics: an iCalendar file (RFC 5545) of milestones, "
                                              "deadlines and send dates")
        ->check(CLI::IsMember({"text", "json", "ics"}))
        ->capture_default_str();
    cmd->add_option("--state-dir", args->state_dir, "Read DIR/journal.sqlite (e.g. a simulation's): show each "
                                                    "occurrence as fired, skipped, coalesced or pending, with the "
                                                    "responses recorded there")
        ->type_name("DIR");
    cmd->callback([&, args] { action = [&, args] { return plan_command(common, *args); }; });
    return cmd;
}

}  // namespace outreach::cli
