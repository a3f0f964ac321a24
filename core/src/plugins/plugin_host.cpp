// Loads campaign plugins with Boost.DLL. Each file goes through a fixed series of
// checks; the first one that fails becomes a one-line refusal and the host moves on.
#include "plugins/plugin_host.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <boost/dll/shared_library.hpp>
#include "plugins/plugin_metadata_reader.hpp"
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#ifndef OUTREACH_INSTALL_LIBDIR
#define OUTREACH_INSTALL_LIBDIR "lib"
#endif

namespace outreach {
namespace fs = std::filesystem;

namespace {

// Everything that came out of one library. Members are destroyed in reverse order:
// the campaign types and the plugin (whose destructors are code inside the library)
// go first, the library is unloaded last.
struct LoadedLibrary {
    boost::dll::shared_library library;
    std::unique_ptr<Plugin> plugin;
    std::vector<std::shared_ptr<CampaignType>> types;
};

// Refusals are one line: plugin messages and dlerror() texts may not be.
std::string first_line(std::string_view text) {
    const auto end = text.find_first_of("\r\n");
    std::string line(text.substr(0, end));
    const auto last = line.find_last_not_of(" \t");
    line.erase(last == std::string::npos ? 0 : last + 1);
    const auto first = line.find_first_not_of(" \t");
    return first == std::string::npos ? std::string() : line.substr(first);
}

// Runs `call` (plugin code); on an exception returns "<what> threw: <message>".
template <typename Call>
std::optional<std::string> plugin_exception(std::string_view what, Call&& call) {
    try {
        std::forward<Call>(call)();
        return std::nullopt;
    } catch (const std::exception& error) {
        return fmt::format("{} threw: {}", what, first_line(error.what()));
    } catch (...) {
        return fmt::format("{} threw a non-standard exception", what);
    }
}

// Check (2): a plugin runs with the host's privileges, so only files that nobody but
// root or the current user can have changed are loaded.
std::optional<std::string> permission_problem(const struct stat& info) {
    if ((info.st_mode & S_IWOTH) != 0) {
        return fmt::format("refused: world-writable (mode {:04o})", info.st_mode & 07777);
    }
    if ((info.st_mode & S_IWGRP) != 0) {
        return fmt::format("refused: group-writable (mode {:04o})", info.st_mode & 07777);
    }
    const uid_t current_user = ::geteuid();
    if (info.st_uid != 0 && info.st_uid != current_user) {
        return fmt::format("refused: owned by uid {}, which is neither root nor the current user (uid {})",
                           info.st_uid, current_user);
    }
    return std::nullopt;
}

// The directory a plugin is loaded from: whoever may add or replace files in it
// decides what runs. World-writable is acceptable only with the sticky bit (then
// only a file's owner can replace it, and the file check above applies).
std::optional<std::string> directory_problem(const fs::path& dir) {
    struct stat info {};
    if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) return std::nullopt;  // reported elsewhere
    if ((info.st_mode & S_IWOTH) != 0 && (info.st_mode & S_ISVTX) == 0) {
        return fmt::format("refused: plugin directory {} is world-writable without the sticky bit (mode {:04o})",
                           dir.string(), info.st_mode & 07777);
    }
    const uid_t current_user = ::geteuid();
    if (info.st_uid != 0 && info.st_uid != current_user) {
        return fmt::format("refused: plugin directory {} is owned by uid {}, which is neither root nor the current "
                           "user (uid {})",
                           dir.string(), info.st_uid, current_user);
    }
    return std::nullopt;
}

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// The installation prefix: the parent of the directory holding the running executable.
fs::path executable_prefix() {
    std::error_code error;
    const fs::path executable = fs::read_symlink("/proc/self/exe", error);
    if (error) {
        throw std::runtime_error("cannot locate the running executable via /proc/self/exe: " + error.message());
    }
    return executable.parent_path().parent_path();
}

}  // namespace

void PluginHost::load_directories(const std::vector<fs::path>& dirs) {
    for (const fs::path& dir : dirs) {
        std::error_code error;
        const fs::file_status status = fs::status(dir, error);
        if (!fs::exists(status)) {
            refusals_.push_back({dir, "plugin directory does not exist"});
            spdlog::warn("plugin directory {} does not exist", dir.string());
            continue;
        }
        if (!fs::is_directory(status)) {
            refusals_.push_back({dir, "plugin directory is not a directory"});
            spdlog::warn("plugin directory {} is not a directory", dir.string());
            continue;
        }

        if (auto problem = directory_problem(dir)) {
            spdlog::warn("plugin directory {}: {}", dir.string(), *problem);
            refusals_.push_back({dir, std::move(*problem)});
            continue;
        }

        std::vector<fs::path> candidates;
        fs::directory_iterator entry(dir, error);
        for (; !error && entry != fs::directory_iterator(); entry.increment(error)) {
            if (entry->path().extension() == ".so") candidates.push_back(entry->path());
        }
        if (error) {
            const std::string reason = "cannot read plugin directory: " + error.message();
            refusals_.push_back({dir, reason});
            spdlog::warn("plugin directory {}: {}", dir.string(), reason);
        }
        // Directory order is arbitrary; sorting makes "the first provider wins" reproducible.
        std::sort(candidates.begin(), candidates.end());
        for (const fs::path& file : candidates) load_file(file);
    }
}

bool PluginHost::load_file(const fs::path& file) {
    const auto refuse = [&](std::string reason) {
        spdlog::warn("plugin {}: {}", file.string(), reason);
        refusals_.push_back({file, std::move(reason)});
        return false;
    };

    // (1) a regular file, (2) safe permissions of it and its directory, checked on
    // the open descriptor (O_NOFOLLOW: a link is refused, not followed).
    Fd fd{::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW)};
    if (fd.fd < 0) {
        const int error = errno;
        if (error == ENOENT) return refuse("does not exist");
        if (error == ELOOP) return refuse("refused: a symbolic link (install the library itself in the plugin directory)");
        return refuse("cannot inspect: " + std::string(std::strerror(error)));
    }
    struct stat info {};
    if (::fstat(fd.fd, &info) != 0) return refuse("cannot inspect: " + std::string(std::strerror(errno)));
    if (!S_ISREG(info.st_mode)) return refuse("not a regular file");
    if (auto problem = permission_problem(info)) return refuse(std::move(*problem));
    if (auto problem = directory_problem(file.has_parent_path() ? file.parent_path() : fs::path("."))) {
        return refuse(std::move(*problem));
    }

    // (3) the metadata record, read from the file without loading it: a plugin
    // built for another API is refused before any of its code (static
    // initialisers included) can run.
    PluginMetadataRecord metadata;
    try {
        metadata = read_plugin_metadata(fd.fd);
    } catch (const PluginMetadataError& error) {
        using Kind = PluginMetadataError::Kind;
        if (error.kind() == Kind::NotElf || error.kind() == Kind::Malformed) {
            return refuse("not a loadable library: " + file.string() + ": " + error.what());
        }
        return refuse(error.what());
    }
    if (metadata.api_version != OUTREACH_API_VERSION) {
        const std::string who = metadata.name.empty() ? std::string("the plugin")
                                                      : fmt::format("plugin '{}' {}", metadata.name, metadata.version);
        return refuse(fmt::format("{} was built for plugin API {}, this outreach supports {}; rebuild the plugin "
                                  "against this SDK",
                                  who, metadata.api_version, OUTREACH_API_VERSION));
    }

    // (4) load. RTLD_LOCAL keeps one plugin's symbols from resolving another's.
    auto loaded = std::make_shared<LoadedLibrary>();
    boost::dll::fs::error_code load_error;
    ::dlerror();  // so the text read below belongs to this dlopen
    loaded->library.load(file, load_error,
                         boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local);
    if (load_error || !loaded->library.is_loaded()) {
        const char* dl_text = ::dlerror();
        return refuse("not a loadable library: " + first_line(dl_text != nullptr ? dl_text : load_error.message()));
    }
    boost::dll::shared_library& library = loaded->library;

    // (5) the API version symbol too (API 1 plugins export only this).
    if (!library.has(OUTREACH_PLUGIN_VERSION_SYMBOL)) {
        return refuse("no API version symbol (not an Outreach plugin?)");
    }
    const std::uint32_t plugin_api = library.get<const std::uint32_t>(OUTREACH_PLUGIN_VERSION_SYMBOL);
    if (plugin_api != OUTREACH_API_VERSION) {
        return refuse(fmt::format("built for plugin API {}, this outreach supports {}; rebuild the plugin against this SDK",
                                  plugin_api, OUTREACH_API_VERSION));
    }

    // (6) the factory, (7) the plugin it makes.
    if (!library.has(OUTREACH_PLUGIN_FACTORY_ALIAS)) return refuse("no factory (OUTREACH_PLUGIN missing)");
    auto& factory = library.get_alias<PluginFactory>(OUTREACH_PLUGIN_FACTORY_ALIAS);
    if (auto thrown = plugin_exception("factory", [&] { loaded->plugin = factory(); })) {
        return refuse(std::move(*thrown));
    }
    if (!loaded->plugin) return refuse("factory returned no plugin");

    std::string plugin_name;
    std::string plugin_version;
    if (auto thrown = plugin_exception("name()/version()", [&] {
            plugin_name = loaded->plugin->name();
            plugin_version = loaded->plugin->version();
        })) {
        return refuse(std::move(*thrown));
    }

    // (8) its campaign types; the first provider of a type name wins.
    if (auto thrown = plugin_exception(fmt::format("plugin '{}': campaign_types()", plugin_name),
                                       [&] { loaded->types = loaded->plugin->campaign_types(); })) {
        return refuse(std::move(*thrown));
    }
    if (loaded->types.empty()) return refuse(fmt::format("plugin '{}' provides no campaign types", plugin_name));

    bool registered_any = false;
    for (const std::shared_ptr<CampaignType>& type : loaded->types) {
        if (!type) {
            refuse(fmt::format("plugin '{}' returned a null campaign type", plugin_name));
            continue;
        }
        std::string type_name;
        if (auto thrown = plugin_exception(fmt::format("plugin '{}': campaign type name()", plugin_name),
                                           [&] { type_name = type->name(); })) {
            refuse(std::move(*thrown));
            continue;
        }
        if (const auto earlier = types_.find(type_name); earlier != types_.end()) {
            refuse(fmt::format("campaign type '{}' refused: already provided by {}", type_name,
                               earlier->second.file.string()));
            continue;
        }
        // Aliasing constructor: the handed-out pointer shares ownership of the whole
        // LoadedLibrary, so the code behind it stays mapped while anyone holds it.
        types_.emplace(type_name, LoadedCampaignType{std::shared_ptr<CampaignType>(loaded, type.get()),
                                                     plugin_name, plugin_version, file});
        registered_any = true;
        spdlog::debug("plugin {}: campaign type '{}' from plugin '{}' {}", file.string(), type_name, plugin_name,
                      plugin_version);
    }
    return registered_any;
}

const LoadedCampaignType* PluginHost::find(const std::string& type) const {
    const auto found = types_.find(type);
    return found == types_.end() ? nullptr : &found->second;
}

fs::path builtin_plugin_dir() {
    const fs::path prefix = executable_prefix();
    // The build tree and most installs use lib/; a multiarch install (Debian, prefix
    // /usr) puts plugins under its own libdir, so prefer that when it is present.
    const fs::path installed = prefix / OUTREACH_INSTALL_LIBDIR / "outreach" / "plugins";
    std::error_code error;
    if (fs::path(OUTREACH_INSTALL_LIBDIR) != "lib" && fs::is_directory(installed, error)) return installed;
    return prefix / "lib" / "outreach" / "plugins";
}

fs::path installed_data_dir() {
    return executable_prefix() / "share" / "outreach";
}

}  // namespace outreach
