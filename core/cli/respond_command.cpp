// `respond`: records what a State answered into the journal, after checking it
// against the campaign (State, kind, payload), and wakes the daemon to re-plan.
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "config/config.hpp"
#include "daemon/daemon_loop.hpp"
#include "journal/journal.hpp"
#include "outreach/clock.hpp"
#include "config/input_limits.hpp"
#include "config/param_validation.hpp"
#include "journal/response_recording.hpp"
#include "runtime_loading.hpp"
#include "safe_text.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {
namespace {

struct RespondArgs {
    std::string campaign, state, kind;
    std::string treaty, pillar, note, at;
    std::filesystem::path state_dir;
};

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

// Refuses a campaign id that is not configured before loading any plugin, so the
// operator sees one clear line (with the closest id) instead of load noise.
bool campaign_configured(const CommonOptions& common, const std::string& id) {
    Diagnostics ignored;  // reported in full by load_for_command
    const Config config = load_config(common.config, ignored);
    std::vector<std::string> ids;
    for (const auto& c : config.campaigns) ids.push_back(c.id);
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) return true;
    const std::string hint = closest_match(id, ids);
    std::cerr << "error: no campaign '" << id << "' in " << common.config.string()
              << (hint.empty() ? (ids.empty() ? "" : " (configured: " + join(ids) + ")") : " (did you mean '" + hint + "'?)")
              << "\n";
    return false;
}

// What is recorded is printed by status and history and exported as JSON:
// only valid UTF-8 goes into the journal.
bool text_arguments_are_utf8(const RespondArgs& args) {
    const std::pair<const char*, const std::string*> checked[] = {
        {"--note", &args.note}, {"--treaty", &args.treaty}, {"--pillar", &args.pillar},
        {"state", &args.state}, {"kind", &args.kind},       {"campaign", &args.campaign}};
    for (const auto& [option, value] : checked) {
        std::size_t bad = 0;
        if (is_valid_utf8(*value, &bad)) continue;
        std::cerr << "error: " << option << ": not valid UTF-8 (byte " << bad + 1
                  << "); give the text in UTF-8\n";
        return false;
    }
    return true;
}

int respond_command(const CommonOptions& common, const RespondArgs& args) {
    if (!text_arguments_are_utf8(args)) return kUsage;
    if (!campaign_configured(common, args.campaign)) return kInvalidInput;
    CommonOptions only = common;
    only.campaign = args.campaign;
    // Disabled campaigns still take responses: they may be re-enabled later.
    const auto loaded = load_for_command(only, RuntimeOptions{true});
    const Campaign* campaign = loaded.runtime->campaign(args.campaign);
    if (!campaign) {
        std::cerr << "error: campaign '" << args.campaign << "' has errors (above); fix them before recording responses\n";
        return kInvalidInput;
    }

    const SystemClock clock;
    const Instant now = clock.now();
    Instant at = now;
    if (!args.at.empty()) {
        const auto parsed = parse_response_time(args.at, campaign->timezone());
        if (!parsed) {
            std::cerr << "error: --at: '" << args.at << "' is not a date or date-time (expected YYYY-MM-DD or "
                      << "YYYY-MM-DDTHH:MM, local to " << campaign->timezone() << ")\n";
            return kInvalidInput;
        }
        at = *parsed;
    }

    ValidatedResponse validated;
    try {
        validated = validate_response(*campaign, args.state, args.kind, {args.treaty, args.pillar, args.note}, at, now);
    } catch (const ResponseRefused& refused) {
        for (const auto& problem : refused.problems())
            std::cerr << "error: " << (problem.field == "state" || problem.field == "kind" ? problem.field : "--" + problem.field)
                      << ": " << problem.message << "\n";
        return kInvalidInput;
    }
    for (const auto& warning : validated.warnings) std::cerr << "warning: " << warning << "\n";

    const std::filesystem::path journal_file =
        args.state_dir.empty() ? loaded.runtime->config.global.journal : args.state_dir / "journal.sqlite";
    if (journal_file.has_parent_path()) std::filesystem::create_directories(journal_file.parent_path());
    Journal journal(journal_file);
    const Response& response = validated.response;
    const State* state = campaign->roster.find(response.state);
    const std::string what = state->name + " (" + response.state + ") " + describe_response(campaign, response) +
                             " on " + format_local(response.at, campaign->timezone());
    for (const auto& existing : journal.responses(campaign->id())) {
        if (!same_response(existing, campaign->id(), response)) continue;
        std::cout << "Already recorded for " << campaign->id() << " (response " << existing.id << "): " << terminal_safe(what)
                  << "; nothing added\n";
        return kOk;
    }
    std::int64_t id = 0;
    {
        Journal::Batch batch(journal);
        id = journal.add_response(campaign->id(), response, validated.note, now);
        journal.audit(now, campaign->id(), "response",
                      "response " + std::to_string(id) + ": " + what + (validated.note.empty() ? "" : "; note: " + validated.note));
        batch.commit();
    }
    // A running daemon re-plans at once, so a State that just answered is not
    // reminded by an occurrence computed before the answer.
    touch_wake_file(journal_file);
    std::cout << "Recorded for " << campaign->id() << " (response " << id << "): " << terminal_safe(what) << "\n";
    return kOk;
}

}  // namespace

CLI::App* register_respond(CLI::App& app, CommonOptions& common, Action& action) {
    auto args = std::make_shared<RespondArgs>();
    auto* cmd = app.add_subcommand("respond", "Record a State's response to a campaign (changes who is written to next)");
    cmd->add_option("campaign", args->campaign, "Campaign id")->required()->type_name("CAMPAIGN");
    cmd->add_option("state", args->state, "State: alpha-3 code (any case) or exact name")->required()->type_name("STATE");
    cmd->add_option("kind", args->kind, "Response kind (`outreach plugins --describe TYPE` lists them)")
        ->required()
        ->type_name("KIND");
    cmd->add_option("--treaty", args->treaty, "Treaty concerned (kinds that take a treaty)")->type_name("TITLE");
    cmd->add_option("--pillar", args->pillar, "Pillar 1-4 (or I-IV) (kinds that take a pillar)")->type_name("N");
    cmd->add_option("--note", args->note, "Note: the payload of kinds that take one, else a remark kept beside the response")
        ->type_name("TEXT");
    cmd->add_option("--at", args->at, "When the answer was received: YYYY-MM-DD (09:00) or YYYY-MM-DDTHH:MM, local to "
                                      "the campaign; default now")
        ->type_name("DATETIME");
    cmd->add_option("--state-dir", args->state_dir, "Use DIR/journal.sqlite instead of the configured journal")
        ->type_name("DIR");
    cmd->callback([&, args] { action = [&, args] { return respond_command(common, *args); }; });
    return cmd;
}

}  // namespace outreach::cli
