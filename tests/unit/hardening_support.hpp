#pragma once
// Helpers of the hardening tests (issue 9): a scratch copy of the shipped
// config to break in places, and small text utilities.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "config/diagnostics.hpp"
#include "test_support.hpp"

namespace outreach::hardening {

using outreach::test::ScratchDir;
namespace fs = std::filesystem;

inline const fs::path kRepo = OUTREACH_SOURCE_DIR;

inline std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline void write_bytes(const fs::path& file, const std::string& bytes) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << bytes;
}

inline std::string dump(const Diagnostics& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) out += d.format() + "\n";
    return out;
}

inline const Diagnostic* find(const Diagnostics& diagnostics, const std::string& field, const std::string& part) {
    for (const auto& d : diagnostics)
        if (d.field == field && d.message.find(part) != std::string::npos) return &d;
    return nullptr;
}

// Line and column of the first occurrence of `needle` in `text`.
inline std::pair<int, int> position_of(const std::string& text, const std::string& needle) {
    const auto at = text.find(needle);
    REQUIRE(at != std::string::npos);
    int line = 1, column = 1;
    for (std::size_t i = 0; i < at; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++column;
        }
    }
    return {line, column};
}

inline std::size_t files_in(const fs::path& dir) {
    if (!fs::exists(dir)) return 0;
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

// The shipped config/ copied into a scratch directory, to be broken in places.
struct ShippedCopy {
    ScratchDir dir;
    fs::path config = dir / "config";
    ShippedCopy() {
        fs::copy(kRepo / "config", config, fs::copy_options::recursive);
        // Only the two treaty events: quicker, and the other campaign types play no part.
        for (const char* other : {"ap2-universality-2006.toml", "ct-strategy-2007.toml"})
            fs::remove(config / "campaigns" / other);
    }
    fs::path file() const { return config / "outreach.toml"; }
    fs::path campaign(const std::string& id) const { return config / "campaigns" / (id + ".toml"); }
    std::string args() const { return "-c " + file().string(); }
    // Replaces the first `from` in `file` by `to`.
    static void edit(const fs::path& file, const std::string& from, const std::string& to) {
        std::string text = read_text(file);
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), to);
        write_bytes(file, text);
    }
};


}  // namespace outreach::hardening
