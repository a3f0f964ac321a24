// Cost of writing one step's letters: template, language values, the PDF
// rendition and the MIME message, for every State of the shipped roster (the
// Focus 2007 invitation: 195 letters in English, French and Spanish).
//
//   outreach_letter_render_bench [--rounds N] [--config FILE]
//
// Prints, with and without the PDF: letters, seconds, letters/s and ms/letter
// (the median round). Results: docs/performance.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "delivery/letter_composer.hpp"
#include "delivery/message.hpp"
#include "runtime.hpp"
#include "schedule/occurrences.hpp"

using namespace outreach;

namespace {

// Composes and builds every letter of the invitation once; the seconds it took.
double one_round(const Campaign& campaign, const PlannedOccurrence& invitation, std::size_t& letters) {
    const auto started = std::chrono::steady_clock::now();
    const CampaignContext context = campaign.context();
    const Occurrence occurrence = invitation.sdk_view();
    const FiringContext firing{context, campaign.workflow, occurrence, invitation.due};
    const std::vector<Response> none;
    OccurrenceValues shared(invitation, firing, none);
    letters = 0;
    std::size_t bytes = 0;
    for (const State& state : campaign.roster.states()) {
        const Addressee* addressee = state.addressee("foreign_minister");
        if (!addressee) continue;
        const TemplateData data = state_values(shared, state, none);
        bytes += build_message(compose_letter(invitation, data, state, *addressee)).size();
        ++letters;
    }
    if (bytes == 0) std::abort();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = 5;
    std::string config = std::string(OUTREACH_SOURCE_DIR) + "/config/outreach.toml";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--rounds") rounds = std::max(1, std::atoi(argv[i + 1]));
        else if (flag == "--config") config = argv[i + 1];
        else {
            std::fprintf(stderr, "usage: %s [--rounds N] [--config FILE]\n", argv[0]);
            return 2;
        }
    }
    Diagnostics diagnostics;
    auto runtime = load_runtime(config, diagnostics);
    for (const auto& d : diagnostics) std::fprintf(stderr, "error: %s\n", d.format().c_str());
    Campaign* campaign = nullptr;
    for (auto& c : runtime->campaigns)
        if (c.id() == "focus2007") campaign = &c;
    if (!campaign) return 1;
    const auto occurrences = expand_occurrences(*campaign, {});
    const auto invitation = std::find_if(occurrences.begin(), occurrences.end(),
                                         [](const PlannedOccurrence& o) { return o.step->id == "invitation"; });
    if (invitation == occurrences.end()) return 1;
    for (const bool pdf : {true, false}) {
        campaign->config.pdf = pdf;
        std::vector<double> times;
        std::size_t letters = 0;
        one_round(*campaign, *invitation, letters);  // warm-up: fonts, templates
        for (int r = 0; r < rounds; ++r) times.push_back(one_round(*campaign, *invitation, letters));
        std::sort(times.begin(), times.end());
        const double median = times[times.size() / 2];
        std::printf("%-11s %zu letters in %.3f s (median of %d): %.0f letters/s, %.2f ms/letter\n",
                    pdf ? "with PDF" : "without PDF", letters, median, rounds, letters / median,
                    1000.0 * median / static_cast<double>(letters));
    }
    return 0;
}
