// `history`: every decision the scheduler took (fired, skipped, coalesced, with
// why and how late), everything sent (deliveries) and recorded (responses),
// merged in time order, optionally for one State. Read-only.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <set>

#include "commands.hpp"
#include "journal/journal.hpp"
#include "config/param_validation.hpp"
#include "journal/response_recording.hpp"
#include "runtime_loading.hpp"
#include "safe_text.hpp"
#include "table.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {
namespace {

struct HistoryArgs {
    std::string campaign;
    std::string state;
    std::string format = "text";
    std::filesystem::path state_dir;
};

struct Event {
    Instant when;
    int order = 0;             // decisions, then letters, then responses of the same instant
    const Campaign* campaign = nullptr;
    std::string type;          // decision | letter | task | response | control
    std::string what;          // step id (decision: step and occurrence), or response kind and payload
    std::string state;         // alpha-3; empty for tasks
    std::string recipient;     // "Name <email>"; empty for responses
    std::string status;        // fired | skipped | coalesced | delivered | temporary_failure | failed | recorded
    std::string detail;        // decision reason, delivery detail or response note
};

// Per-State occurrence ids start with the State: "FRA@2010-03-01T09:00".
bool concerns_state(const OccurrenceRecord& decision, const std::string& state) {
    if (decision.occurrence.rfind(state + "@", 0) == 0) return true;
    // A campaign-wide occurrence concerns every State; one that fired shows as the State's letters.
    return decision.occurrence.find('@') == std::string::npos && decision.status != OccurrenceStatus::Fired;
}

// The alpha-3 code `wanted` names in any campaign's roster, or "" after an error message.
std::string resolve_state(const Runtime& runtime, const std::string& wanted) {
    std::vector<std::string> names;
    for (const auto& c : runtime.campaigns) {
        if (const State* s = c.roster.find(wanted)) return s->code;
        for (const auto& s : c.roster.states()) names.push_back(s.name);
    }
    const std::string hint = closest_match(wanted, names);
    std::cerr << "error: --state: unknown State '" << wanted << "'"
              << (hint.empty() ? " (give an alpha-3 code such as FRA, or the State's exact name)"
                               : " (did you mean '" + hint + "'?)")
              << "\n";
    return "";
}

// The operators' control actions from the audit trail (issue 12): pause,
// resume, approve, reject and proofs, each with who did it. Not tied to a State.
void collect_control_events(const Campaign& c, Journal& journal, std::vector<Event>& events) {
    static const std::set<std::string> kControl = {"pause", "resume", "approve", "reject", "proof"};
    for (const auto& a : journal.audit_trail(c.id())) {
        if (!kControl.count(a.event)) continue;
        events.push_back({a.at, 2, &c, "control", a.event, "", a.actor.empty() ? "scheduler" : "by " + a.actor,
                          "recorded", a.detail});
    }
}

std::vector<Event> collect(const Runtime& runtime, Journal& journal, const std::string& state) {
    std::vector<Event> events;
    for (const auto& c : runtime.campaigns) {
        for (const auto& o : journal.occurrences(c.id())) {
            if (!state.empty() && !concerns_state(o, state)) continue;
            events.push_back({o.due, 0, &c, "decision", o.step + " " + o.occurrence, "", "", to_string(o.status),
                              o.reason});
        }
        for (const auto& d : journal.deliveries(c.id())) {
            if (!state.empty() && d.letter.state != state) continue;
            events.push_back({d.letter.scheduled, 1, &c, d.letter.is_task ? "task" : "letter", d.letter.step,
                              d.letter.state, d.letter.to_name + " <" + d.letter.to_email + ">", to_string(d.status),
                              d.detail});
        }
        for (const auto& r : journal.responses(c.id())) {
            if (!state.empty() && r.response.state != state) continue;
            events.push_back({r.response.at, 2, &c, "response", describe_response(&c, r.response), r.response.state,
                              "", "recorded", r.note});
        }
        if (state.empty()) collect_control_events(c, journal, events);
    }
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
        return a.when != b.when ? a.when < b.when : a.order < b.order;
    });
    return events;
}

int history_command(const CommonOptions& common, const HistoryArgs& args) {
    CommonOptions only = common;
    if (!args.campaign.empty()) only.campaign = args.campaign;
    const auto loaded = load_for_command(only, RuntimeOptions{true});
    const Runtime& runtime = *loaded.runtime;
    if (!args.campaign.empty() && !runtime.campaign(args.campaign)) return kInvalidInput;  // reported by the loader

    std::string state;
    if (!args.state.empty() && (state = resolve_state(runtime, args.state)).empty()) return kInvalidInput;

    const std::filesystem::path journal_file =
        args.state_dir.empty() ? runtime.config.global.journal : args.state_dir / "journal.sqlite";
    std::vector<Event> events;
    if (std::filesystem::exists(journal_file)) {  // reading must not create a journal
        Journal journal(journal_file);
        events = collect(runtime, journal, state);
    }

    if (args.format == "json") {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& e : events) {
            nlohmann::json item{{"when_utc", format_instant_utc(e.when)},
                                {"when_local", format_local(e.when, e.campaign->timezone())},
                                {"campaign", e.campaign->id()},
                                {"type", e.type},
                                {"what", e.what},
                                {"state", e.state},
                                {"status", e.status}};
            if (!e.recipient.empty()) item["recipient"] = e.recipient;
            if (!e.detail.empty()) item[e.type == "response" ? "note" : e.type == "decision" ? "reason" : "detail"] = e.detail;
            items.push_back(std::move(item));
        }
        // The journal may hold bytes that are not UTF-8 (recorded before respond checked them).
        std::cout << json_text(nlohmann::json{{"events", items}}) << "\n";
        return loaded.had_errors ? kInvalidInput : kOk;
    }

    if (events.empty()) {
        std::cout << "Nothing sent or recorded yet" << (state.empty() ? "" : " for " + state) << " (journal "
                  << terminal_safe(journal_file.string()) << ")\n";
        return loaded.had_errors ? kInvalidInput : kOk;
    }
    Table table({"when (local)", "campaign", "what", "State", "recipient", "status"});
    for (const auto& e : events) {
        std::string status = e.status;
        if (e.type != "response" && e.status != "delivered" && !e.detail.empty()) status += " (" + e.detail + ")";
        if (e.type == "response" && !e.detail.empty()) status += " (note: " + e.detail + ")";
        if (e.type == "control") status = e.detail;
        // Notes, payloads and server replies are printed escaped: a note must not
        // be able to send escape sequences to the operator's terminal.
        std::vector<std::string> row{format_local(e.when, e.campaign->timezone()), e.campaign->id(),
                                     (e.type == "response" ? "response " : e.type + " ") + e.what,
                                     e.state.empty() ? "-" : e.state, e.recipient.empty() ? "-" : e.recipient, status};
        for (auto& cell : row) cell = terminal_safe(cell);
        table.add(std::move(row));
    }
    table.print(std::cout);
    return loaded.had_errors ? kInvalidInput : kOk;
}

}  // namespace

CLI::App* register_history(CLI::App& app, CommonOptions& common, Action& action) {
    auto args = std::make_shared<HistoryArgs>();
    auto* cmd = app.add_subcommand("history", "List every decision, what was sent and what States answered, in time "
                                              "order");
    cmd->add_option("campaign", args->campaign, "Only this campaign")->type_name("CAMPAIGN");
    cmd->add_option("--state", args->state, "Only this State: alpha-3 code or exact name")->type_name("STATE");
    cmd->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
    cmd->add_option("--state-dir", args->state_dir, "Read DIR/journal.sqlite (e.g. a simulation's) instead of the "
                                                    "configured journal")
        ->type_name("DIR");
    cmd->callback([&, args] { action = [&, args] { return history_command(common, *args); }; });
    return cmd;
}

}  // namespace outreach::cli
