// `status`: where each campaign stands: who answered what, who has not, what is
// next (deadline, step) and how the deliveries went. Read-only.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "schedule/audience.hpp"
#include "audience_text.hpp"
#include "commands.hpp"
#include "csv.hpp"
#include "control_status.hpp"
#include "journal/journal.hpp"
#include "schedule/occurrences.hpp"
#include "outreach/clock.hpp"
#include "journal/response_recording.hpp"
#include "runtime_loading.hpp"
#include "safe_text.hpp"
#include "table.hpp"
#include "wording.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {
namespace {

constexpr std::size_t kWrapColumns = 100;

struct StatusArgs {
    std::string campaign;
    std::string format = "text";
    std::filesystem::path state_dir;
    std::string as_of;
    bool by_state = false;
};

struct NextStep {
    const PlannedOccurrence* occurrence = nullptr;
    std::size_t recipients = 0;
};

struct CampaignStatus {
    const Campaign* campaign = nullptr;
    std::vector<ResponseRecord> responses;         // known as of the status instant
    std::map<std::string, std::size_t> by_kind;    // every declared kind, zero included
    std::set<std::string> responded;               // alpha-3
    std::vector<const State*> not_responded;
    const Milestone* next_deadline = nullptr;
    std::vector<PlannedOccurrence> occurrences;    // owns what next_step points to
    NextStep next_step;
    std::size_t delivered = 0;
    std::vector<DeliveryRecord> retrying, failed;
    struct LettersSent {
        std::size_t count = 0;
        Instant last{};
    };
    std::map<std::string, LettersSent> letters_to;  // alpha-3 -> letters delivered to it (tasks excluded)
    ControlStatus control;  // pause and approval (control_status.cpp)
};

CampaignStatus gather(const Campaign& campaign, Journal* journal, Instant now) {
    CampaignStatus st;
    st.campaign = &campaign;
    for (const auto& kind : campaign.response_kind_names()) st.by_kind[kind] = 0;
    std::vector<ResponseRecord> all = journal ? journal->responses(campaign.id()) : std::vector<ResponseRecord>{};
    for (const auto& r : all) {
        if (r.response.at > now) continue;
        st.responses.push_back(r);
        ++st.by_kind[r.response.kind];
        st.responded.insert(r.response.state);
    }
    for (const auto& s : campaign.roster.states())
        if (!st.responded.count(s.code)) st.not_responded.push_back(&s);

    for (const auto& m : campaign.workflow.milestones)
        if (m.deadline && start_of_day(m.date, campaign.timezone()) > now &&
            (!st.next_deadline || m.date < st.next_deadline->date))
            st.next_deadline = &m;

    // The next step: the earliest occurrence not decided yet (as `plan` shows it),
    // addressed to the audience it would have if it fired now.
    st.occurrences = expand_occurrences(campaign, all);
    const auto enrolled = journal ? journal->enrolled_at(campaign.id()) : std::nullopt;
    const auto known = responses_until(all, now);
    for (const auto& o : st.occurrences) {
        if (enrolled && o.due < *enrolled) continue;
        if (!enrolled && o.due < now) continue;  // never run: what already passed will not be sent
        // Decided by `now` (fired, skipped, coalesced); with --as-of, later decisions do not count yet.
        if (journal) {
            const auto decided = journal->occurrence(campaign.id(), o.step->id, o.id);
            if (decided && decided->decided_at <= now) continue;
        }
        st.next_step = {&o, count_recipients(o, known, now)};
        break;
    }

    if (journal) {
        for (auto& d : journal->deliveries(campaign.id())) {
            if (d.letter.scheduled > now) continue;
            switch (d.status) {
                case DeliveryStatus::Delivered:
                    ++st.delivered;
                    if (!d.letter.is_task) {
                        auto& sent = st.letters_to[d.letter.state];
                        ++sent.count;
                        sent.last = std::max(sent.last, d.letter.scheduled);
                    }
                    break;
                case DeliveryStatus::TemporaryFailure: st.retrying.push_back(std::move(d)); break;
                case DeliveryStatus::Failed: st.failed.push_back(std::move(d)); break;
            }
        }
    }
    return st;
}

std::string kinds_text(const CampaignStatus& st) {
    std::string out;
    for (const auto& [kind, n] : st.by_kind) out += (out.empty() ? "" : ", ") + kind + " " + std::to_string(n);
    return out.empty() ? "(the campaign type declares no response kinds)" : out;
}

// Alpha-3 codes wrapped into lines: the whole list stays readable even for 195 States.
std::vector<std::string> wrapped_codes(const std::vector<const State*>& states) {
    std::vector<std::string> lines(1);
    for (const State* s : states) {
        if (!lines.back().empty() && lines.back().size() + 4 > kWrapColumns) lines.emplace_back();
        lines.back() += (lines.back().empty() ? "" : " ") + s->code;
    }
    return lines;
}

std::string next_step_text(const CampaignStatus& st) {
    const auto& next = st.next_step;
    if (!next.occurrence) return "none (the season is over)";
    const auto& o = *next.occurrence;
    const bool task = std::holds_alternative<TaskAction>(o.step->action);
    return format_local(o.due, st.campaign->timezone()) + " " + o.step->id + " (" +
           (task ? std::string("task for staff") : counted(next.recipients, "letter")) + ", " +
           audience_text(*st.campaign, o) + ")";
}

std::string deadline_text(const CampaignStatus& st) {
    if (!st.next_deadline) return "none";
    const auto& m = *st.next_deadline;
    return format_date(m.date) + " " + m.id + (m.label.empty() ? "" : ": " + m.label);
}

void print_text(const std::vector<CampaignStatus>& all, Instant now, const std::string& zone, std::ostream& out);

// Everything printed goes through terminal_safe line by line: delivery details
// (server replies), keys and addresses come from outside and may carry escape
// sequences.
void print_text(const std::vector<CampaignStatus>& all, Instant now, const std::string& zone) {
    std::ostringstream text;
    print_text(all, now, zone, text);
    const std::string printed = text.str();
    std::size_t start = 0;
    while (start < printed.size()) {
        const auto end = printed.find('\n', start);
        const std::size_t stop = end == std::string::npos ? printed.size() : end;
        std::cout << terminal_safe(std::string_view(printed).substr(start, stop - start));
        if (end != std::string::npos) std::cout << "\n";
        start = stop + 1;
    }
}

void print_text(const std::vector<CampaignStatus>& all, Instant now, const std::string& zone, std::ostream& out) {
    out << "Status as of " << format_local(now, zone) << "\n\n";
    Table overview({"campaign", "type", "States", "responded", "not responded", "delivered", "retrying", "failed"});
    for (const auto& st : all)
        overview.add({st.campaign->id(), st.campaign->config.type, std::to_string(st.campaign->roster.size()),
                      std::to_string(st.responded.size()), std::to_string(st.not_responded.size()),
                      std::to_string(st.delivered), std::to_string(st.retrying.size()), std::to_string(st.failed.size())});
    overview.print(out);

    for (const auto& st : all) {
        const Campaign& c = *st.campaign;
        out << "\n" << c.id() << " (" << c.config.type << ", " << c.roster.size() << " States, " << c.timezone()
                  << (c.config.enabled ? "" : ", disabled") << ")\n";
        Table details({"", ""}, "  ");
        details.add({"responses", std::to_string(st.responses.size()) + " from " + std::to_string(st.responded.size()) +
                                      " States: " + kinds_text(st)});
        const auto codes = wrapped_codes(st.not_responded);
        details.add({"not responded", std::to_string(st.not_responded.size()) +
                                          (st.not_responded.empty() ? "" : ": " + codes.front())});
        for (std::size_t i = 1; i < codes.size(); ++i) details.add({"", codes[i]});
        details.add({"next deadline", deadline_text(st)});
        details.add({"next step", next_step_text(st)});
        details.add({"deliveries", std::to_string(st.delivered) + " delivered, " + std::to_string(st.retrying.size()) +
                                       " awaiting retry, " + std::to_string(st.failed.size()) + " failed"});
        for (const auto& d : st.retrying)
            details.add({"  retrying", terminal_safe(d.letter.idempotency_key + " to " + d.letter.to_email + ", attempt " +
                                                     std::to_string(d.attempts + 1) + " at " +
                                                     (d.next_attempt ? format_local(*d.next_attempt, c.timezone()) : "?") +
                                                     (d.detail.empty() ? "" : " (" + d.detail + ")"))});
        for (const auto& [label, text] : st.control.lines) details.add({label, text});
        for (const auto& d : st.failed)
            details.add({"  FAILED", terminal_safe(d.letter.idempotency_key + " to " + d.letter.to_email + " after " +
                                                   std::to_string(d.attempts) + " attempts: " + d.detail)});
        // The empty header row of a key/value table would only add noise.
        std::ostringstream text;
        details.print(text);
        const std::string printed = text.str();
        std::size_t skip = 0;
        for (int line = 0; line < 2; ++line) skip = printed.find('\n', skip) + 1;
        out << printed.substr(skip);
    }
}

// The reply report: one row per State and response, in roster order (a State
// without a response has one row with the response columns empty), then
// responses from States no longer in the campaign's roster.
const std::vector<std::string> kReplyColumns{"campaign", "code", "name", "regional_group", "kind", "treaty_or_pillar",
                                             "response_date", "note", "letters_sent", "last_letter_date"};

std::vector<std::vector<std::string>> reply_rows(const CampaignStatus& st) {
    const Campaign& c = *st.campaign;
    std::map<std::string, ResponseKind::Payload> payload_of;
    for (const auto& kind : c.type->response_kinds()) payload_of[kind.name] = kind.payload;
    std::map<std::string, std::vector<const ResponseRecord*>> by_state;
    for (const auto& r : st.responses) by_state[r.response.state].push_back(&r);

    std::vector<std::vector<std::string>> rows;
    auto add_rows = [&](const std::string& code, const State* state) {
        std::vector<std::string> fixed{c.id(), code, state ? state->name : "", state ? state->regional_group : ""};
        const auto sent = st.letters_to.find(code);
        const std::string letters = sent == st.letters_to.end() ? "0" : std::to_string(sent->second.count);
        const std::string last =
            sent == st.letters_to.end() ? "" : format_date(local_date(sent->second.last, c.timezone()));
        const auto answered = by_state.find(code);
        if (answered == by_state.end()) {
            auto row = fixed;
            row.insert(row.end(), {"", "", "", "", letters, last});
            rows.push_back(std::move(row));
            return;
        }
        for (const ResponseRecord* r : answered->second) {
            // A note-kind response carries its text as the payload (`respond --note`).
            const auto payload = payload_of.find(r->response.kind);
            const bool note_payload = payload != payload_of.end() && payload->second == ResponseKind::Payload::Note;
            std::string note = note_payload ? r->response.payload : "";
            if (!r->note.empty()) note += (note.empty() ? "" : "; ") + r->note;
            auto row = fixed;
            row.insert(row.end(), {r->response.kind, note_payload ? "" : r->response.payload,
                                   format_date(local_date(r->response.at, c.timezone())), note, letters, last});
            rows.push_back(std::move(row));
        }
    };
    for (const auto& s : c.roster.states()) add_rows(s.code, &s);
    for (const auto& [code, records] : by_state)
        if (!c.roster.find(code)) add_rows(code, nullptr);
    return rows;
}

void print_csv(const std::vector<CampaignStatus>& all) {
    write_csv_record(std::cout, kReplyColumns);
    for (const auto& st : all)
        for (const auto& row : reply_rows(st)) write_csv_record(std::cout, row);
}

void print_by_state(const std::vector<CampaignStatus>& all, Instant now, const std::string& zone) {
    std::cout << "Replies as of " << format_local(now, zone) << "\n";
    for (const auto& st : all) {
        const Campaign& c = *st.campaign;
        std::cout << "\n" << c.id() << " (" << c.config.type << ", " << c.roster.size() << " States, "
                  << st.responded.size() << " responded)\n";
        // The campaign column is the heading above; notes are shown escaped on one line.
        Table table(std::vector<std::string>(kReplyColumns.begin() + 1, kReplyColumns.end()), "  ");
        for (auto row : reply_rows(st)) {
            row.erase(row.begin());
            for (auto& cell : row) cell = terminal_safe(cell);
            table.add(std::move(row));
        }
        table.print(std::cout);
    }
}

nlohmann::json to_json(const std::vector<CampaignStatus>& all, Instant now) {
    nlohmann::json campaigns = nlohmann::json::array();
    for (const auto& st : all) {
        const Campaign& c = *st.campaign;
        nlohmann::json not_responded = nlohmann::json::array();
        for (const State* s : st.not_responded) not_responded.push_back({{"code", s->code}, {"name", s->name}});
        nlohmann::json responses = nlohmann::json::array();
        for (const auto& r : st.responses) {
            nlohmann::json item{{"id", r.id},
                                {"state", r.response.state},
                                {"kind", r.response.kind},
                                {"payload", r.response.payload},
                                {"at_utc", format_instant_utc(r.response.at)},
                                {"at_local", format_local(r.response.at, c.timezone())}};
            if (!r.note.empty()) item["note"] = r.note;
            responses.push_back(std::move(item));
        }
        nlohmann::json next_deadline = nullptr;
        if (st.next_deadline)
            next_deadline = {{"id", st.next_deadline->id},
                             {"date", format_date(st.next_deadline->date)},
                             {"label", st.next_deadline->label}};
        nlohmann::json next_step = nullptr;
        if (const auto* o = st.next_step.occurrence) {
            next_step = {{"step", o->step->id},
                         {"occurrence", o->id},
                         {"due_utc", format_instant_utc(o->due)},
                         {"due_local", format_local(o->due, c.timezone())},
                         {"action", std::holds_alternative<TaskAction>(o->step->action) ? "task" : "letter"},
                         {"audience", audience_text(c, *o)},
                         {"recipients", st.next_step.recipients}};
            if (!o->only_state.empty()) next_step["state"] = o->only_state;
        }
        auto delivery_list = [&](const std::vector<DeliveryRecord>& list) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& d : list) {
                nlohmann::json item{{"key", d.letter.idempotency_key},
                                    {"to", d.letter.to_email},
                                    {"state", d.letter.state},
                                    {"attempts", d.attempts},
                                    {"detail", d.detail}};
                if (d.next_attempt) item["next_attempt_utc"] = format_instant_utc(*d.next_attempt);
                out.push_back(std::move(item));
            }
            return out;
        };
        campaigns.push_back({{"id", c.id()},
                             {"type", c.config.type},
                             {"enabled", c.config.enabled},
                             {"timezone", c.timezone()},
                             {"states", c.roster.size()},
                             {"responded", st.responded.size()},
                             {"responses_by_kind", st.by_kind},
                             {"responses", responses},
                             {"not_responded", {{"count", st.not_responded.size()}, {"states", not_responded}}},
                             {"next_deadline", next_deadline},
                             {"next_step", next_step},
                             {"deliveries",
                              {{"delivered", st.delivered},
                               {"temporary_failure", delivery_list(st.retrying)},
                               {"failed", delivery_list(st.failed)}}},
                             {"control", st.control.json}});
    }
    return {{"as_of_utc", format_instant_utc(now)}, {"campaigns", campaigns}};
}

int status_command(const CommonOptions& common, const StatusArgs& args) {
    CommonOptions only = common;
    if (!args.campaign.empty()) only.campaign = args.campaign;
    const auto loaded = load_for_command(only, RuntimeOptions{true});
    const Runtime& runtime = *loaded.runtime;
    if (!args.campaign.empty() && !runtime.campaign(args.campaign)) return kInvalidInput;  // reported by the loader
    const std::string& zone = runtime.config.global.timezone;

    Instant now = SystemClock().now();
    if (!args.as_of.empty()) {
        const auto parsed = parse_response_time(args.as_of, zone);
        if (!parsed) {
            std::cerr << "error: --as-of: '" << args.as_of << "' is not a date or date-time (expected YYYY-MM-DD or "
                      << "YYYY-MM-DDTHH:MM, local to " << zone << ")\n";
            return kInvalidInput;
        }
        now = *parsed;
    }
    const std::filesystem::path journal_file =
        args.state_dir.empty() ? runtime.config.global.journal : args.state_dir / "journal.sqlite";
    // Reading must not create a journal: a missing one simply has no records yet.
    std::unique_ptr<Journal> journal;
    if (std::filesystem::exists(journal_file)) journal = std::make_unique<Journal>(journal_file);

    std::vector<CampaignStatus> all;
    for (const auto& campaign : runtime.campaigns) {
        all.push_back(gather(campaign, journal.get(), now));
        if (journal) all.back().control = control_status(runtime, *journal, campaign, now);
    }
    if (args.format == "json")
        std::cout << json_text(to_json(all, now)) << "\n";
    else if (args.format == "csv")
        print_csv(all);
    else if (args.by_state)
        print_by_state(all, now, zone);
    else
        print_text(all, now, zone);
    return loaded.had_errors ? kInvalidInput : kOk;
}

}  // namespace

CLI::App* register_status(CLI::App& app, CommonOptions& common, Action& action) {
    auto args = std::make_shared<StatusArgs>();
    auto* cmd = app.add_subcommand("status", "Show per campaign who responded, who has not, what is next and how "
                                             "deliveries went");
    cmd->add_option("campaign", args->campaign, "Only this campaign")->type_name("CAMPAIGN");
    cmd->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"text", "json", "csv"}))->capture_default_str()
        ->description("Output format; csv: the reply report, one row per State and response (RFC 4180)");
    cmd->add_flag("--by-state", args->by_state, "Text: the reply report as a table, one row per State and response");
    cmd->add_option("--state-dir", args->state_dir, "Read DIR/journal.sqlite (e.g. a simulation's) instead of the "
                                                    "configured journal")
        ->type_name("DIR");
    cmd->add_option("--as-of", args->as_of, "Show the status at this instant instead of now: YYYY-MM-DD (09:00) or "
                                            "YYYY-MM-DDTHH:MM, local to the default time zone")
        ->type_name("DATETIME");
    cmd->callback([&, args] { action = [&, args] { return status_command(common, *args); }; });
    return cmd;
}

}  // namespace outreach::cli
