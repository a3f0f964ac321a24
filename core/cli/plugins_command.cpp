#include <iostream>

#include "commands.hpp"
#include "plugins/plugin_host.hpp"
#include "runtime_loading.hpp"
#include "table.hpp"
#include "delivery/text_wrap.hpp"

namespace outreach::cli {
namespace {

std::string payload_name(ResponseKind::Payload p) {
    switch (p) {
        case ResponseKind::Payload::None: return "";
        case ResponseKind::Payload::Treaty: return "--treaty";
        case ResponseKind::Payload::Pillar: return "--pillar";
        case ResponseKind::Payload::Note: return "--note";
    }
    return "";
}

int describe(const LoadedCampaignType& loaded) {
    const auto& type = *loaded.type;
    std::cout << type.name() << " — " << type.description() << "\n"
              << "plugin " << loaded.plugin_name << " " << loaded.plugin_version << " (" << loaded.file.string()
              << ")\n\nOptions ([params] in a campaign file):\n";
    // One block per option: descriptions are sentences and need the width.
    for (const auto& o : with_language_variants(type.options())) {
        std::cout << "  " << o.name << " (" << option_type_name(o.type) << ", "
                  << (o.required ? "required"
                                 : (o.default_value ? "default " + format_option_value(*o.default_value) : "optional"))
                  << ")\n";
        std::cout << wrap_text("      " + o.description, 78) << "\n";
    }
    const auto kinds = type.response_kinds();
    if (!kinds.empty()) {
        std::cout << "\nResponse kinds (outreach respond CAMPAIGN STATE KIND):\n";
        Table table({"kind", "payload", "description"});
        for (const auto& k : kinds) table.add({k.name, payload_name(k.payload), k.description});
        table.print(std::cout);
    }
    return kOk;
}

int plugins_command(const CommonOptions& common, const std::string& describe_type) {
    // Plugins are listed even when campaigns have errors: this is how operators
    // find out what they may write.
    Diagnostics ignored;
    auto runtime = load_runtime(common.config, ignored);
    const auto& host = runtime->plugins;
    if (!describe_type.empty()) {
        if (const auto* loaded = host.find(describe_type)) return describe(*loaded);
        std::cerr << "error: no plugin provides campaign type '" << describe_type << "'\n";
        return kInvalidInput;
    }
    Table table({"type", "plugin", "version", "description"});
    for (const auto& [name, loaded] : host.types())
        table.add({name, loaded.plugin_name, loaded.plugin_version, loaded.type->description()});
    table.print(std::cout);
    for (const auto& refusal : host.refusals())
        std::cout << "refused  " << refusal.file.string() << ": " << refusal.reason << "\n";
    return host.refusals().empty() ? kOk : kInvalidInput;
}

}  // namespace

CLI::App* register_plugins(CLI::App& app, CommonOptions& common, Action& action) {
    auto* cmd = app.add_subcommand("plugins", "List campaign types, or describe one's options");
    auto describe = std::make_shared<std::string>();
    cmd->add_option("--describe", *describe, "Show the options and response kinds of a campaign type")->type_name("TYPE");
    cmd->callback([&, describe] { action = [&, describe] { return plugins_command(common, *describe); }; });
    return cmd;
}

}  // namespace outreach::cli
