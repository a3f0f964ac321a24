// `plan`: what each campaign will send between two dates, read-only.
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <memory>

#include "schedule/audience.hpp"
#include "commands.hpp"
#include "schedule/occurrences.hpp"
#include "runtime_loading.hpp"
#include "table.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {
namespace {

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
    std::size_t recipients = 0;
    std::string status;     // planned | fired | skipped | coalesced | before enrolment
    std::string reason;
};

int plan_command(const CommonOptions& common, Date from, Date to, Format format) {
    auto loaded = load_for_command(common);
    const Runtime& runtime = *loaded.runtime;
    std::unique_ptr<Journal> journal;
    if (std::filesystem::exists(runtime.config.global.journal))
        journal = std::make_unique<Journal>(runtime.config.global.journal);

    bool first_json = true;
    if (format == Format::Json)
        std::cout << "{\"from\": \"" << format_date(from) << "\", \"to\": \"" << format_date(to) << "\", \"campaigns\": [";
    for (const auto& campaign : runtime.campaigns) {
        const auto records = journal ? journal->responses(campaign.id()) : std::vector<ResponseRecord>{};
        const auto responses = responses_until(records, Instant::max());
        const auto occurrences = expand_occurrences(campaign, records);
        const auto enrolled = journal ? journal->enrolled_at(campaign.id()) : std::nullopt;
        std::map<std::pair<std::string, std::string>, OccurrenceRecord> decided;  // one query per campaign
        if (journal)
            for (auto& rec : journal->occurrences(campaign.id())) decided.emplace(std::pair(rec.step, rec.occurrence), rec);
        const Instant begin = start_of_day(from, campaign.timezone());
        const Instant end = start_of_day(to + Days{1}, campaign.timezone());

        std::vector<PlanRow> rows;
        std::map<const Step*, std::size_t> recipients_of_step;
        for (const auto& o : occurrences) {
            if (o.due < begin || o.due >= end) continue;
            PlanRow row{&o, std::holds_alternative<TaskAction>(o.step->action) ? "task" : "letter", {}, 0, "planned", {}};
            row.template_name = row.action == "task" ? std::get<TaskAction>(o.step->action).template_name
                                                     : std::get<LetterAction>(o.step->action).template_name;
            // Without responses, a campaign-wide step that asks no plugin predicate
            // addresses the same States at every occurrence: count them once.
            const Milestone* deadline = campaign.workflow.milestone(o.step->valid_until);
            const bool same_every_time = responses.empty() && o.only_state.empty() &&
                                         o.step->audience.kind != Audience::Kind::Predicate &&
                                         !(deadline && deadline->is_per_state());
            if (same_every_time) {
                auto [cached, first] = recipients_of_step.try_emplace(o.step, 0);
                if (first) cached->second = count_recipients(o, responses, o.due);
                row.recipients = cached->second;
            } else {
                row.recipients = count_recipients(o, responses, o.due);
            }
            if (journal) {
                if (auto rec = decided.find({o.step->id, o.id}); rec != decided.end()) {
                    row.status = to_string(rec->second.status);
                    row.reason = rec->second.reason;
                } else if (enrolled && o.due < *enrolled) {
                    row.status = "before enrolment";
                }
            }
            rows.push_back(std::move(row));
        }

        if (format == Format::Json) {
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
            for (const auto& r : rows) {
                const auto& o = *r.occurrence;
                nlohmann::json item{{"step", o.step->id},
                                    {"occurrence", o.id},
                                    {"due_utc", format_instant_utc(o.due)},
                                    {"due_local", format_local(o.due, campaign.timezone())},
                                    {"action", r.action},
                                    {"template", r.template_name},
                                    {"trigger", describe_trigger(campaign, *o.step)},
                                    {"audience", describe_audience(o.step->audience)},
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
            // Streamed campaign by campaign: 10,000 campaigns need not sit in memory as JSON.
            const nlohmann::json one{{"id", campaign.id()},
                                     {"type", campaign.config.type},
                                     {"timezone", campaign.timezone()},
                                     {"states", campaign.roster.size()},
                                     {"milestones", milestones},
                                     {"occurrences", items}};
            std::cout << (first_json ? "\n" : ",\n") << one.dump(2);
            first_json = false;
            continue;
        }

        std::cout << campaign.id() << " (" << campaign.config.type << ", " << campaign.roster.size() << " States, "
                  << campaign.timezone() << ")\n";
        for (const auto& m : campaign.workflow.milestones) {
            const std::string when = !m.is_per_state()
                                         ? format_date(m.date)
                                         : "per State (" + std::to_string(m.per_state.size()) + " dates)";
            std::cout << "  " << (m.deadline ? "deadline  " : "milestone ") << when << "  " << m.id
                      << (m.label.empty() ? "" : ": " + m.label) << "\n";
        }
        Table table({"when (local)", "step", "action", "audience", "to", "status"}, "  ");
        for (const auto& r : rows) {
            const auto& o = *r.occurrence;
            table.add({when_column(o), o.step->id, r.action + " " + r.template_name,
                       describe_audience(o.step->audience) + (o.only_state.empty() ? "" : " " + o.only_state),
                       std::to_string(r.recipients), r.status + (r.reason.empty() ? "" : " (" + r.reason + ")")});
        }
        table.print(std::cout);
        std::cout << "\n";
    }
    if (format == Format::Json) std::cout << "\n]}\n";
    const bool had_errors = loaded.had_errors;
    journal.reset();
    loaded.release_at_exit();
    return had_errors ? kInvalidInput : kOk;
}

}  // namespace

CLI::App* register_plan(CLI::App& app, CommonOptions& common, Action& action) {
    struct Args {
        Date from{}, to{};
        std::string format = "text";
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("plan", "List what will be sent, and when, between two dates");
    add_date_option(cmd, "--from", args->from, "First day")->required();
    add_date_option(cmd, "--to", args->to, "Last day (inclusive)")->required();
    cmd->add_option("--campaign", common.campaign, "Only this campaign")->type_name("ID");
    cmd->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
    cmd->callback([&, args] {
        action = [&, args] {
            return plan_command(common, args->from, args->to, args->format == "json" ? Format::Json : Format::Text);
        };
    });
    return cmd;
}

}  // namespace outreach::cli
