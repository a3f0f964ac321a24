// Fuzzing the parsers of operator input: config, campaign, roster and template
// files must turn any bytes into diagnostics, never a crash or an escaped
// exception.
//
// Two ways to run it:
//  - with clang and libFuzzer (-DOUTREACH_LIBFUZZER=ON): coverage-guided, open-ended;
//  - everywhere else: a deterministic mutation driver (see main below) that CTest
//    runs on the corpus in tests/fuzz/corpus with a fixed seed and budget.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "config/config.hpp"
#include "roster/roster_loader.hpp"
#include "delivery/template_renderer.hpp"

namespace fs = std::filesystem;

namespace {

fs::path scratch_dir() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("outreach-fuzz-" + std::to_string(::getpid()));
        fs::create_directories(d / "campaigns");
        fs::create_directories(d / "templates/fuzz");
        return d;
    }();
    return dir;
}

void write(const fs::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary) << bytes;
}

// Feeds one input to every parser. Returns normally unless a parser misbehaves.
void exercise(const std::string& input) {
    using namespace outreach;
    const fs::path dir = scratch_dir();
    Diagnostics diagnostics;

    write(dir / "roster.toml", input);
    (void)load_roster(dir / "roster.toml", diagnostics);

    write(dir / "outreach.toml", "campaigns = \"campaigns\"\n");
    write(dir / "campaigns/fuzz.toml", input);
    (void)load_config(dir / "outreach.toml", diagnostics);

    write(dir / "outreach.toml", input);
    (void)load_config(dir / "outreach.toml", diagnostics);

    write(dir / "templates/fuzz/letter.mustache", input);
    TemplateRenderer renderer({dir / "templates"});
    renderer.check("fuzz", "letter", diagnostics);
    try {
        (void)renderer.render("fuzz", "letter", TemplateData{{{"state_name", "Côte d'Ivoire"}}, {{"treaties", {"A", "B"}}}});
    } catch (const InputError&) {
        // the documented way a bad template is refused
    }
    for (const auto& d : diagnostics)
        if (d.message.empty()) throw std::logic_error("diagnostic without a message at " + d.file.string());
}

std::string mutate(std::string s, std::mt19937& rng) {
    std::uniform_int_distribution<int> op(0, 5);
    const int rounds = 1 + static_cast<int>(rng() % 8);
    static const std::vector<std::string> tokens{"[", "]", "[[", "]]", "=", "\"", "'''", "{{", "}}", "{{#", "{{/",
                                                 "\n", "#", "2007-02-30", "é", "\xff", "\0", "=?", "[params]",
                                                 "code = ", "9999999999999999999999",
                                                 // the pre-scans of issue 9: dotted keys, nesting, delimiters
                                                 "a.b.c.d.", "\"q\".", "{ x = ", "}", "{{=<% %>=}}", "<%", "%>",
                                                 "{{>", "{{{", "}}}", "{{^", "\"\"\"", "\\"};
    for (int r = 0; r < rounds; ++r) {
        const std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
        switch (op(rng)) {
            case 0: if (!s.empty() && pos < s.size()) s[pos] = static_cast<char>(rng() & 0xff); break;
            case 1: if (!s.empty() && pos < s.size()) s.erase(pos, 1 + rng() % 16); break;
            case 2: s.insert(pos, tokens[rng() % tokens.size()]); break;
            case 3: if (!s.empty()) s = s.substr(0, pos); break;
            case 4: if (!s.empty() && pos < s.size()) s.insert(pos, s.substr(pos, 1 + rng() % 40)); break;
            default: s.insert(pos, std::string(1 + rng() % 4, static_cast<char>(rng() & 0x7f))); break;
        }
    }
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    exercise(std::string(reinterpret_cast<const char*>(data), size));
    return 0;
}

#ifndef OUTREACH_LIBFUZZER
// outreach_fuzz CORPUS_DIR [ITERATIONS] [SEED]
int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: " << argv[0] << " CORPUS_DIR [ITERATIONS] [SEED]\n";
        return 2;
    }
    const int iterations = argc > 2 ? std::atoi(argv[2]) : 300;
    std::mt19937 rng(argc > 3 ? static_cast<unsigned>(std::atoi(argv[3])) : 20070509u);
    std::vector<std::string> corpus;
    for (const auto& entry : fs::directory_iterator(argv[1])) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        corpus.push_back(ss.str());
    }
    if (corpus.empty()) {
        std::cerr << "empty corpus: " << argv[1] << "\n";
        return 2;
    }
    int runs = 0;
    for (const auto& seed : corpus) {
        exercise(seed);
        ++runs;
        for (int i = 0; i < iterations; ++i, ++runs) {
            const std::string input = mutate(seed, rng);
            try {
                exercise(input);
            } catch (const std::exception& e) {
                const fs::path crash = fs::temp_directory_path() / "outreach-fuzz-failure.toml";
                write(crash, input);
                std::cerr << "FAILED: a parser threw '" << e.what() << "'; input saved to " << crash << "\n";
                return 1;
            }
        }
    }
    fs::remove_all(scratch_dir());
    std::cout << runs << " inputs parsed without a crash or an escaped exception\n";
    return 0;
}
#endif
