// Plugin metadata read from the ELF file before dlopen, and the host's refusals
// that come before any plugin code runs: wrong API version, no metadata, unsafe
// permissions of the file or of its directory.
#include <catch2/catch.hpp>

#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "plugins/plugin_host.hpp"
#include "plugins/plugin_metadata_reader.hpp"

namespace fs = std::filesystem;
using namespace outreach;
using Kind = PluginMetadataError::Kind;

namespace {

fs::path test_plugin(const std::string& name) {
    return fs::path(OUTREACH_TEST_PLUGIN_DIR) / ("liboutreach_test_" + name + ".so");
}

class Scratch {
public:
    Scratch() {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() /
                ("outreach-plugin-metadata-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
        ::chmod(path_.c_str(), 0755);
    }
    ~Scratch() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }
    fs::path copy_plugin(const std::string& name, const fs::path& into = {}) const {
        const fs::path dir = into.empty() ? path_ : into;
        const fs::path target = dir / test_plugin(name).filename();
        fs::copy_file(test_plugin(name), target);
        ::chmod(target.c_str(), 0755);
        return target;
    }

private:
    fs::path path_;
};

std::string record(const char* magic, std::uint32_t api, std::uint32_t size, const std::string& name,
                   const std::string& version) {
    std::string bytes(112, '\0');
    std::memcpy(bytes.data(), magic, 8);
    std::memcpy(bytes.data() + 8, &api, 4);
    std::memcpy(bytes.data() + 12, &size, 4);
    std::memcpy(bytes.data() + 16, name.data(), std::min<std::size_t>(name.size(), 64));
    std::memcpy(bytes.data() + 80, version.data(), std::min<std::size_t>(version.size(), 32));
    return bytes;
}

// A minimal ELF64 file: header, the sections' contents, the section name table,
// the section headers (null, the given sections, .shstrtab). `tweak` may break
// the header or the section headers before they are written.
struct Section {
    std::string name;
    std::string data;
    std::uint32_t type = SHT_PROGBITS;
};

std::string elf_file(const std::vector<Section>& sections,
                     const std::function<void(Elf64_Ehdr&, std::vector<Elf64_Shdr>&)>& tweak = {}) {
    std::string body(sizeof(Elf64_Ehdr), '\0');
    std::vector<Elf64_Shdr> headers(1);  // SHN_UNDEF
    std::string names(1, '\0');
    for (const auto& section : sections) {
        Elf64_Shdr header{};
        header.sh_name = static_cast<Elf64_Word>(names.size());
        names += section.name + '\0';
        header.sh_type = section.type;
        header.sh_offset = body.size();
        header.sh_size = section.data.size();
        body += section.data;
        headers.push_back(header);
    }
    Elf64_Shdr strtab{};
    strtab.sh_name = static_cast<Elf64_Word>(names.size());
    names += std::string(".shstrtab") + '\0';
    strtab.sh_type = SHT_STRTAB;
    strtab.sh_offset = body.size();
    strtab.sh_size = names.size();
    body += names;
    headers.push_back(strtab);

    Elf64_Ehdr header{};
    std::memcpy(header.e_ident, ELFMAG, SELFMAG);
    header.e_ident[EI_CLASS] = ELFCLASS64;
    header.e_ident[EI_DATA] = ELFDATA2LSB;
    header.e_ident[EI_VERSION] = EV_CURRENT;
    header.e_type = ET_DYN;
    header.e_machine = EM_X86_64;
    header.e_version = EV_CURRENT;
    header.e_ehsize = sizeof(Elf64_Ehdr);
    header.e_shentsize = sizeof(Elf64_Shdr);
    header.e_shoff = body.size();
    header.e_shnum = static_cast<Elf64_Half>(headers.size());
    header.e_shstrndx = static_cast<Elf64_Half>(headers.size() - 1);
    if (tweak) tweak(header, headers);
    std::memcpy(body.data(), &header, sizeof header);
    for (const auto& h : headers) body.append(reinterpret_cast<const char*>(&h), sizeof h);
    return body;
}

fs::path write(const Scratch& scratch, const std::string& name, const std::string& bytes) {
    const fs::path file = scratch.path() / name;
    std::ofstream(file, std::ios::binary) << bytes;
    return file;
}

// The kind of error read_plugin_metadata throws for `bytes`, with its message in `message`.
Kind failure(const Scratch& scratch, const std::string& bytes, std::string* message = nullptr) {
    const fs::path file = write(scratch, "lib.so", bytes);
    try {
        read_plugin_metadata(file);
    } catch (const PluginMetadataError& error) {
        if (message) *message = error.what();
        return error.kind();
    }
    FAIL("no error for " << file);
    return Kind::Unreadable;
}

const Section good_section{".outreach_plugin", record("OUTREACH", 2, 112, "treaty_event", "1.0.0")};

}  // namespace

TEST_CASE("plugin metadata: the record is read from the .outreach_plugin section", "[plugins][metadata]") {
    Scratch scratch;
    const fs::path file = write(scratch, "lib.so", elf_file({{".text", std::string(100, '\x90')}, good_section}));
    const PluginMetadataRecord metadata = read_plugin_metadata(file);
    CHECK(metadata.api_version == 2);
    CHECK(metadata.record_size == 112);
    CHECK(metadata.name == "treaty_event");
    CHECK(metadata.version == "1.0.0");

    // An API-1-sized record has no name yet; non-printable bytes are masked.
    const fs::path small = write(scratch, "small.so", elf_file({{".outreach_plugin", record("OUTREACH", 1, 16, "", "")}}));
    CHECK(read_plugin_metadata(small).name.empty());
    CHECK(read_plugin_metadata(small).api_version == 1);
    const fs::path odd =
        write(scratch, "odd.so", elf_file({{".outreach_plugin", record("OUTREACH", 2, 112, "a\x1b[31mb", "1")}}));
    CHECK(read_plugin_metadata(odd).name == "a?[31mb");
}

TEST_CASE("plugin metadata: the real plugins carry it, liboutreach does not", "[plugins][metadata]") {
    const PluginMetadataRecord good = read_plugin_metadata(test_plugin("good"));
    CHECK(good.api_version == OUTREACH_API_VERSION);
    CHECK(good.name == "test_good");
    const PluginMetadataRecord wrong = read_plugin_metadata(test_plugin("wrong_api"));
    CHECK(wrong.api_version == OUTREACH_API_VERSION + 41);
    CHECK(wrong.name == "test_wrong_api");
    CHECK(wrong.version == "9.9.9");
    CHECK_THROWS_AS(read_plugin_metadata(test_plugin("no_metadata")), PluginMetadataError);
}

TEST_CASE("plugin metadata: every offset is checked against the file", "[plugins][metadata]") {
    Scratch scratch;
    std::string message;
    CHECK(failure(scratch, "this is a text file, not a shared library\n" + std::string(100, ' ')) == Kind::NotElf);
    CHECK(failure(scratch, "\x7f" "ELF") == Kind::NotElf);
    CHECK(failure(scratch, elf_file({good_section}, [](Elf64_Ehdr& h, auto&) { h.e_ident[EI_CLASS] = ELFCLASS32; })) ==
          Kind::NotElf);
    CHECK(failure(scratch, elf_file({good_section}, [](Elf64_Ehdr& h, auto&) { h.e_ident[EI_DATA] = ELFDATA2MSB; })) ==
          Kind::NotElf);

    CHECK(failure(scratch, elf_file({{".text", "code"}}), &message) == Kind::NoMetadata);
    CHECK(message == "not an Outreach plugin (no .outreach_plugin metadata)");
    CHECK(failure(scratch, elf_file({{".outreach_plugi", good_section.data}})) == Kind::NoMetadata);
    CHECK(failure(scratch, elf_file({{".outreach_plugin_x", good_section.data}})) == Kind::NoMetadata);

    CHECK(failure(scratch, elf_file({{".outreach_plugin", record("OUTREACX", 2, 112, "x", "1")}}), &message) ==
          Kind::BadRecord);
    CHECK_THAT(message, Catch::Contains("bad magic"));
    CHECK(failure(scratch, elf_file({{".outreach_plugin", "OUTREACH"}})) == Kind::BadRecord);
    CHECK(failure(scratch, elf_file({{".outreach_plugin", record("OUTREACH", 2, 4000, "x", "1")}})) == Kind::BadRecord);
    CHECK(failure(scratch, elf_file({{".outreach_plugin", "", SHT_NOBITS}})) == Kind::BadRecord);

    // Headers that point outside the file.
    CHECK(failure(scratch, elf_file({good_section}, [](Elf64_Ehdr& h, auto&) { h.e_shoff = 1u << 30; })) ==
          Kind::Malformed);
    CHECK(failure(scratch, elf_file({good_section}, [](Elf64_Ehdr& h, auto&) { h.e_shoff = ~0ull - 8; })) ==
          Kind::Malformed);
    CHECK(failure(scratch, elf_file({good_section}, [](Elf64_Ehdr& h, auto&) { h.e_shnum = 60000; })) ==
          Kind::Malformed);
    CHECK(failure(scratch, elf_file({good_section}, [](Elf64_Ehdr& h, auto&) { h.e_shentsize = 32; })) ==
          Kind::Malformed);
    CHECK(failure(scratch, elf_file({good_section}, [](Elf64_Ehdr&, std::vector<Elf64_Shdr>& s) {
              s[1].sh_offset = ~0ull - 50;
          })) == Kind::Malformed);
    CHECK(failure(scratch, elf_file({good_section}, [](Elf64_Ehdr&, std::vector<Elf64_Shdr>& s) {
              s[2].sh_size = 1u << 28;  // the name table
          })) == Kind::Malformed);
    CHECK(failure(scratch, elf_file({good_section}, [](Elf64_Ehdr&, std::vector<Elf64_Shdr>& s) {
              s[1].sh_name = 1u << 30;  // a name outside the name table: not the section
          })) == Kind::NoMetadata);
    CHECK(failure(scratch, elf_file({good_section}, [](Elf64_Ehdr& h, auto&) { h.e_shstrndx = 77; })) ==
          Kind::NoMetadata);
    CHECK(failure(scratch, elf_file({good_section}, [](Elf64_Ehdr&, std::vector<Elf64_Shdr>& s) {
              s[2].sh_type = SHT_PROGBITS;
          })) == Kind::Malformed);
    // Cut short in the middle of the section headers.
    const std::string whole = elf_file({good_section});
    CHECK(failure(scratch, whole.substr(0, whole.size() - 30)) == Kind::Malformed);
}

TEST_CASE("plugin metadata: links, FIFOs and huge files are not read", "[plugins][metadata]") {
    Scratch scratch;
    const fs::path file = write(scratch, "lib.so", elf_file({good_section}));
    const fs::path link = scratch.path() / "link.so";
    fs::create_symlink(file, link);
    CHECK_THROWS_WITH(read_plugin_metadata(link), Catch::Contains("symbolic link"));
    const fs::path fifo = scratch.path() / "fifo.so";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THROWS_WITH(read_plugin_metadata(fifo), Catch::Contains("not a regular file"));
    const fs::path huge = scratch.path() / "huge.so";
    std::ofstream(huge) << elf_file({good_section});
    fs::resize_file(huge, kMaxPluginFileBytes + 1);  // sparse: nothing is written
    CHECK_THROWS_WITH(read_plugin_metadata(huge), Catch::Contains("larger than 256 MiB"));
}

TEST_CASE("plugin host: a wrong API version or missing metadata is refused before any plugin code runs",
          "[plugins][metadata]") {
    Scratch scratch;
    const fs::path marker = scratch.path() / "static-initialiser-ran";
    ::setenv("OUTREACH_TEST_PLUGIN_INIT_MARKER", marker.c_str(), 1);
    const fs::path wrong = scratch.copy_plugin("wrong_api");
    const fs::path unlabelled = scratch.copy_plugin("no_metadata");
    PluginHost host;
    CHECK_FALSE(host.load_file(wrong));
    CHECK_FALSE(host.load_file(unlabelled));
    ::unsetenv("OUTREACH_TEST_PLUGIN_INIT_MARKER");
    REQUIRE(host.refusals().size() == 2);
    CHECK(host.refusals()[0].file == wrong);
    CHECK(host.refusals()[0].reason == "plugin 'test_wrong_api' 9.9.9 was built for plugin API " +
                                           std::to_string(OUTREACH_API_VERSION + 41) + ", this outreach supports " +
                                           std::to_string(OUTREACH_API_VERSION) + "; rebuild the plugin against this SDK");
    CHECK(host.refusals()[1].reason == "not an Outreach plugin (no .outreach_plugin metadata)");
    // dlopen would have run their static initialisers.
    CHECK_FALSE(fs::exists(marker));
    CHECK(host.types().empty());
}

TEST_CASE("plugin host: group-writable files and links are refused", "[plugins][permissions]") {
    Scratch scratch;
    const fs::path copy = scratch.copy_plugin("good");
    ::chmod(copy.c_str(), 0775);
    PluginHost host;
    CHECK_FALSE(host.load_file(copy));
    REQUIRE(host.refusals().size() == 1);
    CHECK(host.refusals()[0].reason == "refused: group-writable (mode 0775)");

    ::chmod(copy.c_str(), 0755);
    const fs::path link = scratch.path() / "liblinked.so";
    fs::create_symlink(copy, link);
    CHECK_FALSE(host.load_file(link));
    CHECK_THAT(host.refusals().back().reason, Catch::Contains("a symbolic link"));
    CHECK(host.load_file(copy));
}

TEST_CASE("plugin host: a world-writable directory without the sticky bit is refused, with it accepted",
          "[plugins][permissions]") {
    Scratch scratch;
    scratch.copy_plugin("good");
    ::chmod(scratch.path().c_str(), 0777);
    {
        PluginHost host;
        host.load_directories({scratch.path()});
        CHECK(host.find("test_minimal") == nullptr);
        REQUIRE(host.refusals().size() == 1);
        CHECK(host.refusals()[0].file == scratch.path());
        CHECK_THAT(host.refusals()[0].reason, Catch::Contains("world-writable without the sticky bit (mode 0777)"));
        // load_file checks the directory too.
        CHECK_FALSE(host.load_file(scratch.path() / "liboutreach_test_good.so"));
    }
    ::chmod(scratch.path().c_str(), 01777);
    {
        PluginHost host;
        host.load_directories({scratch.path()});
        CHECK(host.find("test_minimal") != nullptr);
        CHECK(host.refusals().empty());
    }
    ::chmod(scratch.path().c_str(), 0755);
}

TEST_CASE("plugin host: a directory owned by another non-root user is refused", "[plugins][permissions]") {
    Scratch scratch;
    const fs::path dir = scratch.path() / "plugins";
    fs::create_directories(dir);
    ::chmod(dir.c_str(), 0755);
    scratch.copy_plugin("good", dir);
    const uid_t stranger = ::geteuid() == 4242 ? 4243 : 4242;
    if (::chown(dir.c_str(), stranger, static_cast<gid_t>(-1)) != 0) {
        WARN("cannot give a directory to another user without root; ownership check not exercised");
        return;
    }
    PluginHost host;
    host.load_directories({dir});
    CHECK(host.find("test_minimal") == nullptr);
    REQUIRE(host.refusals().size() == 1);
    CHECK_THAT(host.refusals()[0].reason, Catch::Contains("is owned by uid " + std::to_string(stranger)));
}
