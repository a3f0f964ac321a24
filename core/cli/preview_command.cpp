// `preview`: one State's letter of one step occurrence, as it will be sent
// (composed now by the scheduler's own composer and message builder) or, when the
// journal holds it, as it was sent. Printed decoded: headers in plain UTF-8, text
// parts as text, other parts (PDF renditions, attachments) listed. Read-only.
#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "outreach/language.hpp"
#include "config/param_validation.hpp"
#include "delivery/letter_composer.hpp"
#include "delivery/message.hpp"
#include "delivery/message_reader.hpp"
#include "journal/journal.hpp"
#include "outreach/clock.hpp"
#include "runtime_loading.hpp"
#include "safe_text.hpp"
#include "schedule/audience.hpp"
#include "schedule/occurrences.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {
namespace {

// A staff task is previewed with this word in place of a State.
constexpr const char* kStaff = "staff";

struct PreviewArgs {
    std::string campaign, step, state, role, occurrence;
    std::filesystem::path state_dir;
};

std::string did_you_mean(const std::string& hint) { return hint.empty() ? "" : " (did you mean '" + hint + "'?)"; }

int unknown(const std::string& what, const std::string& given, const std::vector<std::string>& known,
            const std::string& otherwise = {}) {
    const std::string hint = closest_match(given, known);
    std::cerr << "error: unknown " << what << " '" << terminal_safe(given) << "'"
              << (hint.empty() ? otherwise : did_you_mean(hint)) << "\n";
    return kInvalidInput;
}

// Prints a built message decoded, every line made terminal-safe (names and
// bodies come from rosters and templates operators edit).
void print_message(const std::string& message, std::ostream& out) {
    const MessageContents contents = read_message_contents(message);
    std::ostringstream text;
    for (const auto& [name, value] : contents.headers) text << name << ": " << value << "\n";
    const bool one_text_part = contents.parts.size() == 1 && contents.parts.front().is_text;
    for (std::size_t i = 0; i < contents.parts.size(); ++i) {
        const auto& part = contents.parts[i];
        text << "\n";
        if (!one_text_part)
            text << "--- part " << i + 1 << ": " << part.content_type
                 << (part.filename.empty() ? "" : ", " + part.filename) << ", " << part.size << " bytes ---\n";
        if (part.is_text) text << part.text << (part.text.empty() || part.text.back() != '\n' ? "\n" : "");
    }
    std::istringstream lines(text.str());
    for (std::string line; std::getline(lines, line);) out << terminal_safe(line) << "\n";
}

// The occurrence to preview: the one named, else the next not yet decided (in
// the journal, or not yet due without one), else the first.
const PlannedOccurrence* choose_occurrence(const std::vector<const PlannedOccurrence*>& candidates,
                                           const PreviewArgs& args, Journal* journal, Instant now) {
    if (!args.occurrence.empty()) {
        for (const auto* o : candidates)
            if (o->id == args.occurrence) return o;
        std::vector<std::string> ids;
        for (const auto* o : candidates) ids.push_back(o->id);
        std::string listed;
        for (std::size_t i = 0; i < ids.size() && i < 5; ++i) listed += (i ? ", " : "") + ids[i];
        unknown("occurrence", args.occurrence, ids,
                ids.empty() ? "" : " (this step's occurrences: " + listed + (ids.size() > 5 ? ", ..." : "") + ")");
        return nullptr;
    }
    for (const auto* o : candidates) {
        const bool pending = journal ? !journal->occurrence(o->campaign->id(), o->step->id, o->id) : o->due >= now;
        if (pending) return o;
    }
    return candidates.front();
}

int preview_command(const CommonOptions& common, const PreviewArgs& args) {
    CommonOptions only = common;
    only.campaign = args.campaign;
    const auto loaded = load_for_command(only, RuntimeOptions{true});
    const Campaign* campaign = loaded.runtime->campaign(args.campaign);
    if (!campaign) return kInvalidInput;  // reported by the loader

    const Step* step = campaign->step(args.step);
    if (!step) {
        std::vector<std::string> ids;
        for (const auto& s : campaign->workflow.steps) ids.push_back(s.id);
        return unknown("step", args.step, ids, " (`outreach plan --campaign " + campaign->id() + "` lists the steps)");
    }
    const bool task = std::holds_alternative<TaskAction>(step->action);
    const State* state = nullptr;
    if (task) {
        if (args.state != kStaff) {
            std::cerr << "error: step '" << step->id << "' is a task for staff: give 'staff' in place of the State\n";
            return kInvalidInput;
        }
    } else if (!(state = campaign->roster.find(args.state))) {
        std::vector<std::string> names;
        for (const auto& s : campaign->roster.states()) {
            names.push_back(s.code);
            names.push_back(s.name);
        }
        return unknown("State", args.state, names, " (not in the roster of " + campaign->id() +
                                                       "; give an alpha-3 code such as FRA, or the State's name)");
    }

    // Roles: --role, else every role the step writes to that the State has.
    std::vector<const Addressee*> addressees;
    if (!task) {
        const auto& action = std::get<LetterAction>(step->action);
        const auto& roles = action.roles.empty() ? campaign->config.addressees : action.roles;
        if (!args.role.empty() && std::find(roles.begin(), roles.end(), args.role) == roles.end())
            return unknown("role", args.role, roles, " (step '" + step->id + "' writes to: " + [&] {
                std::string list;
                for (const auto& r : roles) list += (list.empty() ? "" : ", ") + r;
                return list;
            }() + ")");
        for (const auto& role : roles) {
            if (!args.role.empty() && role != args.role) continue;
            if (const Addressee* a = state->addressee(role)) addressees.push_back(a);
        }
        if (addressees.empty()) {
            std::cerr << "error: " << state->code << " has no " << (args.role.empty() ? "addressee" : args.role)
                      << " in the roster for step '" << step->id << "': no letter would be sent\n";
            return kInvalidInput;
        }
    }

    const std::filesystem::path journal_file =
        args.state_dir.empty() ? loaded.runtime->config.global.journal : args.state_dir / "journal.sqlite";
    if (!args.state_dir.empty() && !std::filesystem::is_regular_file(args.state_dir / "journal.sqlite")) {
        std::cerr << "error: --state-dir: no journal at " << terminal_safe((args.state_dir / "journal.sqlite").string())
                  << "\n";
        return kInvalidInput;
    }
    std::unique_ptr<Journal> journal;  // reading must not create a journal
    if (std::filesystem::is_regular_file(journal_file)) journal = std::make_unique<Journal>(journal_file);
    const auto records = journal ? journal->responses(campaign->id()) : std::vector<ResponseRecord>{};

    const auto occurrences = expand_occurrences(*campaign, records);
    std::vector<const PlannedOccurrence*> candidates;
    for (const auto& o : occurrences)
        if (o.step == step && (o.only_state.empty() || (state && o.only_state == state->code)))
            candidates.push_back(&o);
    if (candidates.empty()) {
        std::cerr << "error: step '" << step->id << "' has no occurrence" << (state ? " for " + state->code : "")
                  << " in " << campaign->id() << "\n";
        return kInvalidInput;
    }
    const PlannedOccurrence* chosen = choose_occurrence(candidates, args, journal.get(), SystemClock().now());
    if (!chosen) return kInvalidInput;
    const PlannedOccurrence& o = *chosen;
    const std::string& zone = campaign->timezone();

    // Composed as the scheduler would at the due instant, with the responses known then.
    const auto known = responses_until(records, o.due);
    const CampaignContext context = campaign->context();
    const Occurrence sdk_occurrence = o.sdk_view();
    const FiringContext firing{context, campaign->workflow, sdk_occurrence, o.due};
    OccurrenceValues shared(o, firing, known);  // per letter language, on first use
    const auto audience = resolve_audience(o, known, o.due);

    std::vector<std::string> recipients;
    if (task) recipients.push_back(kStaff);
    for (const Addressee* a : addressees) recipients.push_back(state->code + "/" + a->role);
    for (std::size_t i = 0; i < recipients.size(); ++i) {
        if (i) std::cout << "\n" << std::string(72, '=') << "\n";
        std::cout << "Preview: " << campaign->id() << " " << step->id << " " << o.id << " to " << recipients[i];
        if (journal) {
            if (auto sent = journal->delivery(idempotency_key(o, recipients[i]))) {
                std::cout << ", as sent (" << to_string(sent->status) << ", "
                          << format_local(sent->updated_at, zone) << ")\n\n";
                print_message(build_message(sent->letter), std::cout);
                continue;
            }
        }
        std::cout << ", as it will be sent " << format_local(o.due, zone) << " (composed now";
        if (!known.empty()) std::cout << ", with the " << known.size() << " responses recorded by then";
        std::cout << ")\n";
        if (!task && std::find(audience.begin(), audience.end(), state) == audience.end())
            std::cout << "Note: " << state->code << " is not in this occurrence's audience ("
                      << describe_audience(step->audience) << "); it would not receive this letter.\n";
        std::cout << "\n";
        Letter letter;
        if (task) {
            letter = compose_task(o, shared.in(std::string(kDefaultLanguage)), known, audience);
        } else {
            const auto own = responses_by_state(known)[state->code];
            letter = compose_letter(o, state_values(shared, *state, own), *state, *addressees[i]);
        }
        print_message(build_message(letter), std::cout);
    }
    return loaded.had_errors ? kInvalidInput : kOk;
}

}  // namespace

CLI::App* register_preview(CLI::App& app, CommonOptions& common, Action& action) {
    auto args = std::make_shared<PreviewArgs>();
    auto* cmd = app.add_subcommand("preview", "Show one State's letter of a step, decoded: as it will be sent, or as it "
                                              "was sent");
    cmd->add_option("campaign", args->campaign, "Campaign id")->required()->type_name("CAMPAIGN");
    cmd->add_option("step", args->step, "Step id (as `plan` lists them)")->required()->type_name("STEP");
    cmd->add_option("state", args->state, "Alpha-3 code or name of the State ('staff' for a task)")
        ->required()
        ->type_name("STATE");
    cmd->add_option("--role", args->role, "Only the letter to this addressee role (default: every role the step "
                                          "writes to)")
        ->type_name("ROLE");
    cmd->add_option("--occurrence", args->occurrence, "Occurrence id as `plan --format json` shows it (default: the "
                                                      "next one not yet decided, else the first)")
        ->type_name("ID");
    cmd->add_option("--state-dir", args->state_dir, "Read DIR/journal.sqlite (e.g. a simulation's): show letters as "
                                                    "they were sent, and compose others with its responses")
        ->type_name("DIR");
    cmd->callback([&, args] { action = [&, args] { return preview_command(common, *args); }; });
    return cmd;
}

}  // namespace outreach::cli
