// Plugin host: every broken plugin is refused with its own one-line reason, the
// good one loads beside them, and what the host hands out keeps its library loaded.
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "plugins/plugin_host.hpp"

namespace fs = std::filesystem;
using outreach::PluginHost;
using outreach::PluginRefusal;

namespace {

fs::path test_plugin(const std::string& name) {
    return fs::path(OUTREACH_TEST_PLUGIN_DIR) / ("liboutreach_test_" + name + ".so");
}

const char* const kTestPluginNames[] = {"good",       "later_duplicate",  "wrong_api",
                                        "no_factory", "throwing_factory", "no_metadata"};

class TemporaryDirectory {
public:
    TemporaryDirectory() {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() /
                ("outreach-plugin-host-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TemporaryDirectory() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

    const fs::path& path() const { return path_; }
    fs::path copy_plugin(const std::string& name) const {
        const fs::path source = test_plugin(name);
        const fs::path target = path_ / source.filename();
        fs::copy_file(source, target);
        fs::permissions(target, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);
        return target;
    }

private:
    fs::path path_;
};

const PluginRefusal* refusal_for(const PluginHost& host, const fs::path& file) {
    const auto& refusals = host.refusals();
    const auto found = std::find_if(refusals.begin(), refusals.end(),
                                    [&](const PluginRefusal& refusal) { return refusal.file == file; });
    return found == refusals.end() ? nullptr : &*found;
}

bool is_loaded(const fs::path& library) {
    void* handle = ::dlopen(library.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    if (handle == nullptr) return false;
    ::dlclose(handle);
    return true;
}

}  // namespace

TEST_CASE("a directory of broken plugins: each refused with its reason, the good one loads", "[plugins]") {
    TemporaryDirectory dir;
    for (const char* name : kTestPluginNames) dir.copy_plugin(name);
    const fs::path not_a_plugin = dir.path() / "libnot_a_plugin.so";
    std::ofstream(not_a_plugin) << "this is a text file, not a shared library\n";
    std::ofstream(dir.path() / "README.txt") << "ignored: not a .so file\n";

    PluginHost host;
    host.load_directories({dir.path()});

    const auto* minimal = host.find("test_minimal");
    REQUIRE(minimal != nullptr);
    CHECK(minimal->file == dir.path() / "liboutreach_test_good.so");
    CHECK(minimal->plugin_name == "test_good");
    CHECK(minimal->plugin_version == "1.2.3");
    CHECK(minimal->type->name() == "test_minimal");
    REQUIRE(host.find("test_second") != nullptr);
    CHECK(host.find("test_second")->file == dir.path() / "liboutreach_test_later_duplicate.so");
    CHECK(host.types().size() == 2);

    CHECK(host.refusals().size() == 6);
    for (const PluginRefusal& refusal : host.refusals()) {
        INFO(refusal.file.string() << ": " << refusal.reason);
        CHECK(refusal.reason.find('\n') == std::string::npos);
        CHECK_FALSE(refusal.reason.empty());
    }

    const auto* wrong_api = refusal_for(host, dir.path() / "liboutreach_test_wrong_api.so");
    REQUIRE(wrong_api != nullptr);
    // Read from the metadata record, before dlopen: the plugin's name and both versions.
    CHECK(wrong_api->reason == "plugin 'test_wrong_api' 9.9.9 was built for plugin API " +
                                   std::to_string(OUTREACH_API_VERSION + 41) + ", this outreach supports " +
                                   std::to_string(OUTREACH_API_VERSION) + "; rebuild the plugin against this SDK");

    const auto* no_metadata = refusal_for(host, dir.path() / "liboutreach_test_no_metadata.so");
    REQUIRE(no_metadata != nullptr);
    CHECK(no_metadata->reason == "not an Outreach plugin (no .outreach_plugin metadata)");

    const auto* no_factory = refusal_for(host, dir.path() / "liboutreach_test_no_factory.so");
    REQUIRE(no_factory != nullptr);
    CHECK(no_factory->reason == "no factory (OUTREACH_PLUGIN missing)");

    const auto* throwing = refusal_for(host, dir.path() / "liboutreach_test_throwing_factory.so");
    REQUIRE(throwing != nullptr);
    CHECK(throwing->reason == "factory threw: test plugin cannot start");

    const auto* text_file = refusal_for(host, not_a_plugin);
    REQUIRE(text_file != nullptr);
    CHECK_THAT(text_file->reason, Catch::StartsWith("not a loadable library: ") &&
                                      Catch::Contains("libnot_a_plugin.so"));

    const auto* duplicate = refusal_for(host, dir.path() / "liboutreach_test_later_duplicate.so");
    REQUIRE(duplicate != nullptr);
    CHECK(duplicate->reason == "campaign type 'test_minimal' refused: already provided by " +
                                   (dir.path() / "liboutreach_test_good.so").string());
}

TEST_CASE("the first provider of a campaign type wins", "[plugins]") {
    PluginHost host;
    CHECK(host.load_file(test_plugin("later_duplicate")));
    // The good plugin's only type is taken: nothing of it is registered.
    CHECK_FALSE(host.load_file(test_plugin("good")));

    REQUIRE(host.find("test_minimal") != nullptr);
    CHECK(host.find("test_minimal")->plugin_name == "test_later_duplicate");
    REQUIRE(host.refusals().size() == 1);
    CHECK(host.refusals()[0].file == test_plugin("good"));
    CHECK(host.refusals()[0].reason == "campaign type 'test_minimal' refused: already provided by " +
                                           test_plugin("later_duplicate").string());
}

TEST_CASE("a shared library that is not an Outreach plugin is refused", "[plugins]") {
    // liboutreach itself: a perfectly loadable library without the version symbol.
    Dl_info core_library{};
    REQUIRE(::dladdr(reinterpret_cast<void*>(&outreach::builtin_plugin_dir), &core_library) != 0);
    // The file itself, not the liboutreach.so.0 link (links are refused as such).
    const fs::path core_file = fs::canonical(core_library.dli_fname);

    PluginHost host;
    CHECK_FALSE(host.load_file(core_file));
    REQUIRE(host.refusals().size() == 1);
    CHECK(host.refusals()[0].file == core_file);
    CHECK(host.refusals()[0].reason == "not an Outreach plugin (no .outreach_plugin metadata)");
}

TEST_CASE("load_file refuses what is not a regular file", "[plugins]") {
    TemporaryDirectory dir;
    PluginHost host;
    CHECK_FALSE(host.load_file(dir.path() / "libmissing.so"));
    CHECK_FALSE(host.load_file(dir.path()));
    REQUIRE(host.refusals().size() == 2);
    CHECK(host.refusals()[0].file == dir.path() / "libmissing.so");
    CHECK(host.refusals()[0].reason == "does not exist");
    CHECK(host.refusals()[1].file == dir.path());
    CHECK(host.refusals()[1].reason == "not a regular file");
}

TEST_CASE("a world-writable plugin is refused before it is loaded", "[plugins]") {
    TemporaryDirectory dir;
    const fs::path copy = dir.copy_plugin("good");
    REQUIRE(::chmod(copy.c_str(), 0666) == 0);

    PluginHost host;
    CHECK_FALSE(host.load_file(copy));
    CHECK(host.find("test_minimal") == nullptr);
    REQUIRE(host.refusals().size() == 1);
    CHECK(host.refusals()[0].file == copy);
    CHECK(host.refusals()[0].reason == "refused: world-writable (mode 0666)");
    CHECK_FALSE(is_loaded(copy));
}

TEST_CASE("a plugin owned by another non-root user is refused", "[plugins]") {
    TemporaryDirectory dir;
    const fs::path copy = dir.copy_plugin("good");
    const uid_t stranger = ::geteuid() == 4242 ? 4243 : 4242;
    if (::chown(copy.c_str(), stranger, static_cast<gid_t>(-1)) != 0) {
        WARN("cannot give a file to another user without root; ownership check not exercised");
        return;
    }

    PluginHost host;
    CHECK_FALSE(host.load_file(copy));
    CHECK(host.find("test_minimal") == nullptr);
    REQUIRE(host.refusals().size() == 1);
    CHECK_THAT(host.refusals()[0].reason,
               Catch::StartsWith("refused: owned by uid " + std::to_string(stranger) + ","));
}

TEST_CASE("a missing plugin directory is noted and the next one is still scanned", "[plugins]") {
    TemporaryDirectory dir;
    dir.copy_plugin("good");
    const fs::path missing = dir.path() / "no-such-directory";

    PluginHost host;
    host.load_directories({missing, dir.path()});
    CHECK(host.find("test_minimal") != nullptr);
    REQUIRE(host.refusals().size() == 1);
    CHECK(host.refusals()[0].file == missing);
    CHECK(host.refusals()[0].reason == "plugin directory does not exist");
}

TEST_CASE("a campaign type keeps its library loaded after the host is gone", "[plugins]") {
    const fs::path good = test_plugin("good");
    std::shared_ptr<outreach::CampaignType> type;
    {
        PluginHost host;
        REQUIRE(host.load_file(good));
        REQUIRE(host.find("test_minimal") != nullptr);
        type = host.find("test_minimal")->type;
    }
    REQUIRE(type);
    CHECK(is_loaded(good));
    CHECK(type->name() == "test_minimal");
    const auto options = type->options();
    REQUIRE(options.size() == 1);
    CHECK(options[0].name == "event_date");
    CHECK(options[0].required);

    const outreach::Date event_day = outreach::make_date(2007, 9, 25);
    const outreach::Params params({{"event_date", outreach::OptionValue{event_day}}});
    const outreach::Roster roster;
    const outreach::CampaignContext context{"treaty-2007", "America/New_York", params, roster, nullptr, {}};
    const outreach::Workflow workflow = type->build_workflow(context);
    REQUIRE(workflow.milestones.size() == 1);
    CHECK(workflow.milestones[0].id == "event");
    CHECK(workflow.milestones[0].date == event_day);

    // The last reference goes: the library may be unloaded now.
    type.reset();
    CHECK_FALSE(is_loaded(good));
}

TEST_CASE("the built-in plugin directory sits beside the executable's directory", "[plugins]") {
    const fs::path prefix = fs::read_symlink("/proc/self/exe").parent_path().parent_path();
    // The tests run from <build>/bin, so the prefix is the build tree.
    CHECK(outreach::builtin_plugin_dir() == prefix / "lib" / "outreach" / "plugins");
    CHECK(fs::weakly_canonical(outreach::builtin_plugin_dir()) == fs::weakly_canonical(OUTREACH_PLUGIN_DIR));
    CHECK(outreach::installed_data_dir() == prefix / "share" / "outreach");
}
