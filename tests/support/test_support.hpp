#pragma once
// Shared helpers for the tests: scratch directories and small in-process
// campaigns that exercise the scheduler without a plugin library.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "runtime.hpp"

namespace outreach::test {

// A fresh directory under the system temp dir, removed when the object dies.
class ScratchDir {
public:
    ScratchDir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("outreach-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& file, const std::string& text) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

inline std::size_t count_files(const std::filesystem::path& dir) {
    if (!std::filesystem::exists(dir)) return 0;
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) n += entry.is_regular_file() ? 1 : 0;
    return n;
}

// A campaign type whose workflow is given by the test.
class FixedWorkflowType final : public CampaignType {
public:
    explicit FixedWorkflowType(Workflow workflow, std::vector<ResponseKind> kinds = {})
        : workflow_(std::move(workflow)), kinds_(std::move(kinds)) {}
    std::string name() const override { return "fixed"; }
    std::string description() const override { return "test workflow"; }
    std::vector<OptionSpec> options() const override { return {}; }
    std::vector<ResponseKind> response_kinds() const override { return kinds_; }
    Workflow build_workflow(const CampaignContext&) const override { return workflow_; }
    bool matches(const std::string& predicate, const State& state, const std::vector<Response>&,
                 const FiringContext&) const override {
        return predicate == "starts_with_c" && !state.code.empty() && state.code[0] == 'C';
    }

private:
    Workflow workflow_;
    std::vector<ResponseKind> kinds_;
};

inline Roster small_roster() {
    auto state = [](std::string code, std::string name) {
        std::string lower = code;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return State{code, name, name, StateStatus::Member, "Test Group", "Capital",
                     {Addressee{"foreign_minister", "Minister for Foreign Affairs of " + name, "Excellency", "",
                                "fm." + lower + "@example.org"}}};
    };
    return Roster({state("CIV", "Côte d'Ivoire"), state("FRA", "France"), state("CHL", "Chile")});
}

// A runtime with one campaign "test" of campaign type `type` (templates under
// `dir`/templates/fixed/) over small_roster(), its workflow built by the type.
inline std::unique_ptr<Runtime> make_runtime_of(const std::filesystem::path& dir, std::shared_ptr<CampaignType> type,
                                                std::string zone = "America/New_York") {
    auto runtime = std::make_unique<Runtime>();
    Campaign c;
    c.config.id = "test";
    c.config.type = "fixed";
    c.config.timezone = std::move(zone);
    c.config.addressees = {"foreign_minister"};
    c.config.sender = SenderConfig{"Treaty Section", "treaty@example.org", "staff@example.org"};
    c.type = std::move(type);
    c.plugin_name = "test";
    c.roster = small_roster();
    c.templates = std::make_shared<TemplateRenderer>(std::vector<std::filesystem::path>{dir / "templates"});
    c.log = spdlog::default_logger();
    c.workflow = c.type->build_workflow(c.context());
    runtime->campaigns.push_back(std::move(c));
    return runtime;
}

// A runtime with one campaign "test" over small_roster(), templates "letter"
// and "task" written under `dir`.
inline std::unique_ptr<Runtime> make_runtime(const std::filesystem::path& dir, Workflow workflow,
                                             std::vector<ResponseKind> kinds = {},
                                             std::string zone = "America/New_York") {
    write_file(dir / "templates/fixed/letter.mustache",
               "Subject: {{step_id}} for {{state_name}}\n\nExcellency,\n\nStep {{step_id}} on {{letter_date}}.\n");
    write_file(dir / "templates/fixed/task.mustache",
               "Subject: Task {{step_id}}\n\n{{responded_count}} responded.\n{{#responses}}- {{.}}\n{{/responses}}");
    return make_runtime_of(dir, std::make_shared<FixedWorkflowType>(std::move(workflow), std::move(kinds)),
                           std::move(zone));
}

inline Step letter_step(std::string id, Trigger trigger, Audience audience = Audience::all()) {
    Step s;
    s.id = std::move(id);
    s.trigger = std::move(trigger);
    s.audience = std::move(audience);
    s.action = LetterAction{"letter", {}};
    return s;
}

}  // namespace outreach::test
