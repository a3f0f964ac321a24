// outreach: the operator's command line. Each subcommand lives in its own file
// and registers itself; this one only lists them and maps errors to exit codes.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "heap_pages.hpp"
#include "outreach/version.hpp"

namespace outreach::cli {

CLI::Option* add_date_option(CLI::App* app, const std::string& name, Date& target, const std::string& help) {
    return app
        ->add_option_function<std::string>(
            name,
            [&target, name](const std::string& text) {
                auto d = parse_date(text);
                if (!d) throw CLI::ValidationError(name, "'" + text + "' is not a date (expected YYYY-MM-DD)");
                target = *d;
            },
            help)
        ->type_name("DATE");
}

}  // namespace outreach::cli

int main(int argc, char** argv) {
    using namespace outreach::cli;
    prefer_huge_heap_pages();
    spdlog::set_pattern("%^%l%$: %v");
    spdlog::set_level(spdlog::level::warn);

    CLI::App app{"Outreach: runs diplomatic outreach campaigns by letter.\n"
                 "Exit codes: 0 ok, 1 invalid input, 2 usage, 3 runtime failure, 4 delivery failures."};
    app.set_version_flag("--version", std::string("outreach ") + OUTREACH_VERSION_STRING);
    app.require_subcommand(1);

    CommonOptions common;
    auto* config_option =
        app.add_option("-c,--config", common.config, "Operator configuration file")->capture_default_str()->type_name("FILE");
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Log what the scheduler and plugin host do");

    Action action;
    for (auto* add : {register_validate, register_plugins, register_plan, register_simulate, register_run, register_daemon,
                      register_respond, register_status, register_history, register_preview, register_pause,
                      register_resume, register_approve, register_reject, register_proof})
        add(app, common, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kOk : kUsage;
    }
    if (verbose) spdlog::set_level(spdlog::level::debug);
    if (config_option->count() == 0 && !std::filesystem::exists(common.config)) {
        // Run from another folder, the relative default names nothing: say where it was looked for.
        std::error_code ec;
        const auto here = std::filesystem::current_path(ec);
        std::cerr << "error: no configuration file " << common.config.string() << " in "
                  << (ec ? std::string("the current directory") : here.string())
                  << "\n  run outreach from the directory that holds config/, or name the file with -c FILE "
                     "(e.g. outreach -c /srv/outreach/config/outreach.toml ...)\n";
        return kInvalidInput;
    }
    try {
        return action ? action() : kUsage;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return kRuntimeFailure;
    }
}
