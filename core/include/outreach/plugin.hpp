#pragma once
// The plugin interface. A plugin is a shared library that provides one or more
// campaign types and declares itself in one place:
//
//     OUTREACH_PLUGIN("treaty_event", "1.0.0", outreach::treaty_event::TreatyEventType)
//
// The interface's vtables live in liboutreach, which plugins link.
//
// Threading and lifetime of the hooks (every CampaignType member function):
// - All hooks of one process are called from one thread at a time (the thread
//   that loads the configuration or runs the scheduler); a plugin needs no locks
//   for data it only touches from hooks.
// - build_workflow() runs once per campaign per configuration load (validate,
//   plan, run, simulate, each daemon reload). What it returns, Workflow::data
//   included, lives as long as that loaded configuration: the scheduler keeps it
//   until a reload replaces it, and then drops it after the last firing that used
//   it has finished.
// - matches(), firing_values() and letter_values() run while one occurrence fires
//   (or, for `plan`/`status`, while it is previewed: then `now` is the instant
//   previewed). References in their arguments are valid only during the call.
// - A hook that throws fails only that occurrence: the host logs the plugin's
//   name, leaves the occurrence undecided and goes on with the other campaigns.
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

#include "outreach/language.hpp"
#include "outreach/options.hpp"
#include "outreach/plugin_metadata.hpp"
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
    const Roster& roster;               // the campaign's view of the shared roster (filtered)
    std::shared_ptr<spdlog::logger> log;  // owned by the core
    std::filesystem::path base_dir;     // the campaign file's directory: resolve relative paths in params here
};

// A response recorded for a State (used by predicates and value hooks).
struct Response {
    std::string state;        // alpha-3
    std::string kind;
    std::string payload;      // treaty / pillar / note, may be empty
    Instant at;
};

// One occurrence of a step: what is firing (or being previewed).
struct Occurrence {
    const Step* step = nullptr;
    std::string id;           // "2007-08-02T09:00", "FRA@2010-03-01T09:00", "response-17"
    std::size_t index = 0;    // position in its step's series (`every`: 0, 1, ...; otherwise 0)
    Instant due;              // the planned instant (UTC)
    std::string state;        // per-State and on_response occurrences: the one State addressed
    const Response* response = nullptr;  // on_response (and `after` one): the response that triggered it
};

// Handed to every hook that runs while an occurrence fires.
struct FiringContext {
    const CampaignContext& campaign;
    const Workflow& workflow;      // as build_workflow() returned it
    const Occurrence& occurrence;
    Instant now;                   // the scheduler's clock (virtual in simulate)
    // The language of the letters the values are for (outreach/language.hpp):
    // firing_values() is asked once per language a firing writes in, letter_values()
    // in the addressed State's language. Format dates and lists with the functions
    // of outreach/language.hpp in this language. Tasks (to staff) are in English.
    std::string language = std::string(kDefaultLanguage);

    // Workflow::data as the type the plugin stored; throws when none was stored.
    template <typename T>
    const T& data() const {
        if (!workflow.data) throw std::logic_error("campaign " + campaign.id + ": the plugin stored no workflow data");
        return *static_cast<const T*>(workflow.data.get());
    }
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
    // Audience::Kind::Predicate: does `state` belong to the audience `predicate`
    // now? `own_responses`: the State's responses known by then, in time order.
    virtual bool matches(const std::string& predicate, const State& state, const std::vector<Response>& own_responses,
                         const FiringContext& firing) const;
    // Extra template values for every letter and task of one firing, computed
    // from all the responses known at that moment (e.g. "States bound now").
    virtual TemplateValues firing_values(const FiringContext& firing, const std::vector<Response>& responses) const;
    // Extra template values for the letters to one State (e.g. "you owe 2 reports").
    // Return the same names whatever the State, the responses or the instant
    // (empty strings where nothing applies; "has_..." flags may be left out when
    // false): `validate` checks every {{tag}} against the names returned for one
    // preview firing, and a tag without a value is an error when a letter fires.
    virtual TemplateValues letter_values(const FiringContext& firing, const State& state,
                                         const std::vector<Response>& own_responses) const;
};

class OUTREACH_EXPORT Plugin {
public:
    virtual ~Plugin();
    virtual std::string name() const = 0;
    virtual std::string version() const = 0;
    virtual std::vector<std::shared_ptr<CampaignType>> campaign_types() const = 0;
};

// The Plugin the OUTREACH_PLUGIN macro declares: a name, a version and the
// campaign types, default-constructed once when the host calls the factory.
template <typename... Types>
class BasicPlugin final : public Plugin {
public:
    BasicPlugin(std::string name, std::string version) : name_(std::move(name)), version_(std::move(version)) {}
    std::string name() const override { return name_; }
    std::string version() const override { return version_; }
    std::vector<std::shared_ptr<CampaignType>> campaign_types() const override {
        return {std::make_shared<Types>()...};
    }

private:
    std::string name_, version_;
};

using PluginFactory = std::unique_ptr<Plugin>();

}  // namespace outreach

// Exported symbol names the host looks up after the metadata check.
#define OUTREACH_PLUGIN_VERSION_SYMBOL "outreach_plugin_api_version"
#define OUTREACH_PLUGIN_FACTORY_ALIAS "outreach_create_plugin"

// Declare this library's plugin: its name, version and campaign types. Use once,
// at namespace scope, in one source file. It emits (1) the metadata note the host
// reads from the file before dlopen (outreach/plugin_metadata.hpp), (2) the API
// version as a plain symbol, (3) the factory. Keep the types' constructors cheap:
// they run when the host calls the factory, after every check.
#define OUTREACH_PLUGIN(NAME, VERSION, ...)                                            \
    OUTREACH_PLUGIN_ENTRY(NAME, VERSION,                                               \
                          std::make_unique<::outreach::BasicPlugin<__VA_ARGS__>>(NAME, VERSION))

// The same for a hand-written Plugin subclass (default-constructible), for a
// plugin that needs more than BasicPlugin (e.g. types built from shared state).
#define OUTREACH_PLUGIN_CLASS(NAME, VERSION, PluginClass) \
    OUTREACH_PLUGIN_ENTRY(NAME, VERSION, std::make_unique<PluginClass>())

#define OUTREACH_PLUGIN_ENTRY(NAME, VERSION, ...)                                      \
    OUTREACH_PLUGIN_METADATA(NAME, VERSION)                                            \
    extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t outreach_plugin_api_version;    \
    extern "C" const std::uint32_t outreach_plugin_api_version = OUTREACH_API_VERSION; \
    namespace outreach_plugin_entry {                                                  \
    inline std::unique_ptr<::outreach::Plugin> create() { return __VA_ARGS__; }        \
    BOOST_DLL_ALIAS(outreach_plugin_entry::create, outreach_create_plugin)             \
    }
