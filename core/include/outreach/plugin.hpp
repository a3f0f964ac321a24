#pragma once
// The plugin interface. A plugin is a shared library that provides one or more
// campaign types and declares itself in one place with OUTREACH_PLUGIN(Class).
// The interface's vtables live in liboutreach, which plugins link.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/config.hpp>
#include <boost/dll/alias.hpp>
#include <spdlog/logger.h>

#include "outreach/options.hpp"
#include "outreach/roster.hpp"
#include "outreach/version.hpp"
#include "outreach/workflow.hpp"

namespace outreach {

// What a State may answer. The payload names what `respond` must be given with it.
struct ResponseKind {
    enum class Payload { None, Treaty, Pillar, Note };
    std::string name;         // "intends_to_sign"
    std::string description;
    Payload payload = Payload::None;
};

// Everything a plugin may look at while building a campaign's workflow.
struct CampaignContext {
    std::string id;
    std::string timezone;               // IANA name, e.g. America/New_York
    const Params& params;
    const Roster& roster;               // already filtered by the campaign
    std::shared_ptr<spdlog::logger> log;  // owned by the core
    std::filesystem::path base_dir;     // the campaign file's directory: resolve relative paths in params here
};

// A response recorded for a State (used by predicates).
struct Response {
    std::string state;        // alpha-3
    std::string kind;
    std::string payload;      // treaty / pillar / note, may be empty
    Instant at;
};

class OUTREACH_EXPORT CampaignType {
public:
    virtual ~CampaignType();
    virtual std::string name() const = 0;          // "treaty_event"
    virtual std::string description() const = 0;  // one line for `plugins`
    virtual std::vector<OptionSpec> options() const = 0;
    virtual std::vector<ResponseKind> response_kinds() const { return {}; }
    // Throw std::runtime_error with a message for operators when params are
    // inconsistent (e.g. a deadline after the event).
    virtual Workflow build_workflow(const CampaignContext& context) const = 0;
    // Audience::Kind::Predicate: does `state` belong to the audience `predicate`?
    virtual bool matches(const std::string& predicate, const State& state,
                         const CampaignContext& context,
                         const std::vector<Response>& responses) const;
    // Extra template values for every letter and task of one firing of `step_id`,
    // computed from the responses known at that moment (e.g. "States bound now").
    virtual TemplateValues firing_values(const std::string& step_id, const CampaignContext& context,
                                         const std::vector<Response>& responses) const;
};

class OUTREACH_EXPORT Plugin {
public:
    virtual ~Plugin();
    virtual std::string name() const = 0;
    virtual std::string version() const = 0;
    virtual std::vector<std::shared_ptr<CampaignType>> campaign_types() const = 0;
};

using PluginFactory = std::unique_ptr<Plugin>();

}  // namespace outreach

// Exported symbol names the host looks up. The version is a plain integer so the
// host can read it before calling any plugin code.
#define OUTREACH_PLUGIN_VERSION_SYMBOL "outreach_plugin_api_version"
#define OUTREACH_PLUGIN_FACTORY_ALIAS "outreach_create_plugin"

// Declare the plugin class of this library. Use once, at namespace scope, in one
// source file. Keep the class's constructor cheap: dlopen runs static initialisers
// before the host has checked the API version.
#define OUTREACH_PLUGIN(PluginClass)                                                  \
    extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t outreach_plugin_api_version;   \
    extern "C" const std::uint32_t outreach_plugin_api_version = OUTREACH_API_VERSION; \
    namespace outreach_plugin_entry {                                                  \
    inline std::unique_ptr<::outreach::Plugin> create() {                              \
        return std::make_unique<PluginClass>();                                        \
    }                                                                                  \
    BOOST_DLL_ALIAS(outreach_plugin_entry::create, outreach_create_plugin)             \
    }
