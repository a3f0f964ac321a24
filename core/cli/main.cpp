// outreach: the operator's command line. Each subcommand lives in its own file;
// this one only declares the interface (CLI11) and maps it to those functions.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>

#include "commands.hpp"
#include "outreach/version.hpp"

namespace {

using outreach::Date;

// CLI11 option holding a YYYY-MM-DD date.
CLI::Option* add_date(CLI::App* app, const std::string& name, Date& target, const std::string& help) {
    return app
        ->add_option_function<std::string>(
            name,
            [&target, name](const std::string& text) {
                auto d = outreach::parse_date(text);
                if (!d) throw CLI::ValidationError(name, "'" + text + "' is not a date (expected YYYY-MM-DD)");
                target = *d;
            },
            help)
        ->type_name("DATE");
}

}  // namespace

int main(int argc, char** argv) {
    using namespace outreach::cli;
    spdlog::set_pattern("%^%l%$: %v");
    spdlog::set_level(spdlog::level::warn);

    CLI::App app{"Outreach: runs diplomatic outreach campaigns by letter.\n"
                 "Exit codes: 0 ok, 1 invalid input, 2 usage, 3 runtime failure, 4 delivery failures."};
    app.set_version_flag("--version", std::string("outreach ") + OUTREACH_VERSION_STRING);
    app.require_subcommand(1);

    CommonOptions common;
    app.add_option("-c,--config", common.config, "Operator configuration file")
        ->capture_default_str()
        ->type_name("FILE");
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Log what the scheduler and plugin host do");

    auto* validate = app.add_subcommand("validate", "Check the configuration, campaigns, rosters and templates");

    auto* plugins = app.add_subcommand("plugins", "List campaign types, or describe one's options");
    std::string describe;
    plugins->add_option("--describe", describe, "Show the options and response kinds of a campaign type")
        ->type_name("TYPE");

    Date from{}, to{};
    auto* plan = app.add_subcommand("plan", "List what will be sent, and when, between two dates");
    add_date(plan, "--from", from, "First day")->required();
    add_date(plan, "--to", to, "Last day (inclusive)")->required();
    plan->add_option("--campaign", common.campaign, "Only this campaign")->type_name("ID");
    std::string format = "text";
    plan->add_option("--format", format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();

    auto* simulate = app.add_subcommand(
        "simulate", "Run a season on a virtual clock into a scratch journal and Maildir, printing every letter");
    add_date(simulate, "--from", from, "First day")->required();
    add_date(simulate, "--to", to, "Last day (inclusive)")->required();
    simulate->add_option("--campaign", common.campaign, "Only this campaign")->type_name("ID");
    std::filesystem::path state_dir;
    simulate->add_option("--state-dir", state_dir, "Scratch directory: journal.sqlite and outbox/ go here")
        ->required()
        ->type_name("DIR");
    bool summary = false;
    simulate->add_flag("--summary", summary, "One line per step occurrence instead of one per letter");

    auto* run = app.add_subcommand("run", "Send what is due now, then exit (for cron)");
    std::string run_state_dir;
    run->add_option("--state-dir", run_state_dir, "Use DIR/journal.sqlite and DIR/outbox instead of the config's")
        ->type_name("DIR");
    run->add_option("--campaign", common.campaign, "Only this campaign")->type_name("ID");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kOk : kUsage;
    }
    if (verbose) spdlog::set_level(spdlog::level::debug);

    try {
        if (*validate) return validate_command(common);
        if (*plugins) return plugins_command(common, describe);
        if (*plan) return plan_command(common, from, to, format == "json" ? Format::Json : Format::Text);
        if (*simulate) return simulate_command(common, from, to, state_dir, summary);
        if (*run)
            return run_command(common, run_state_dir.empty() ? std::nullopt
                                                             : std::optional<std::filesystem::path>(run_state_dir));
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return kRuntimeFailure;
    }
    return kUsage;
}
