#pragma once
// Finds and loads campaign plugins (Boost.DLL). A broken plugin never stops the
// others: each refusal becomes a one-line reason naming the file.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "outreach/plugin.hpp"

namespace outreach {

struct LoadedCampaignType {
    std::shared_ptr<CampaignType> type;  // keeps its library loaded
    std::string plugin_name;
    std::string plugin_version;
    std::filesystem::path file;
};

struct PluginRefusal {
    std::filesystem::path file;
    std::string reason;  // one line
};

class OUTREACH_EXPORT PluginHost {
public:
    // Scans each directory (non-recursively) for *.so files, in order; the first
    // provider of a campaign type wins, a later duplicate is refused.
    void load_directories(const std::vector<std::filesystem::path>& dirs);
    // Loads one file; false (and a refusal recorded) when it is refused.
    bool load_file(const std::filesystem::path& file);

    const LoadedCampaignType* find(const std::string& type) const;
    const std::map<std::string, LoadedCampaignType>& types() const { return types_; }
    const std::vector<PluginRefusal>& refusals() const { return refusals_; }

private:
    std::map<std::string, LoadedCampaignType> types_;
    std::vector<PluginRefusal> refusals_;
};

// <prefix>/lib/outreach/plugins, where prefix is the parent of the directory
// holding the running executable (works in the build tree and when installed).
OUTREACH_EXPORT std::filesystem::path builtin_plugin_dir();
OUTREACH_EXPORT std::filesystem::path installed_data_dir();  // <prefix>/share/outreach

}  // namespace outreach
