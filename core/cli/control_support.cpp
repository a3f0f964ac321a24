#include "control_support.hpp"

#include <algorithm>
#include <iostream>

#include "config/input_limits.hpp"
#include "config/param_validation.hpp"
#include "journal/response_recording.hpp"
#include "safe_text.hpp"
#include "time/timezone.hpp"

namespace outreach::cli {

std::optional<ControlTarget> load_control_target(const CommonOptions& common, const std::string& id,
                                                 const std::filesystem::path& state_dir) {
    CommonOptions only = common;
    only.campaign = id;
    ControlTarget target;
    target.loaded = load_for_command(only, RuntimeOptions{true});
    target.campaign = target.loaded.runtime->campaign(id);
    if (!target.campaign) {
        const auto& configured = target.loaded.runtime->config.campaigns;
        if (std::any_of(configured.begin(), configured.end(), [&](const CampaignConfig& c) { return c.id == id; }))
            std::cerr << "error: campaign '" << terminal_safe(id) << "' has errors (above); fix them first\n";
        return std::nullopt;  // an unknown id was reported by the loader
    }
    target.journal_file = state_dir.empty() ? target.loaded.runtime->config.global.journal : state_dir / "journal.sqlite";
    return target;
}

const Step* find_step(const Campaign& campaign, const std::string& id) {
    if (const Step* step = campaign.step(id)) return step;
    std::vector<std::string> ids;
    for (const auto& s : campaign.workflow.steps) ids.push_back(s.id);
    const std::string hint = closest_match(id, ids);
    std::string known;
    for (const auto& s : ids) known += (known.empty() ? "" : ", ") + s;
    std::cerr << "error: no step '" << terminal_safe(id) << "' in campaign " << campaign.id()
              << (hint.empty() ? "" : " (did you mean '" + hint + "'?)") << "; its steps: " << known << "\n";
    return nullptr;
}

std::vector<PlannedOccurrence> undecided_occurrences(const Campaign& campaign, const Step& step, Journal* journal,
                                                     Instant now) {
    const auto responses = journal ? journal->responses(campaign.id()) : std::vector<ResponseRecord>{};
    const auto enrolled = journal ? journal->enrolled_at(campaign.id()) : std::nullopt;
    std::vector<PlannedOccurrence> out;
    for (auto& o : expand_occurrences(campaign, responses)) {
        if (o.step != &step) continue;
        if (enrolled ? o.due < *enrolled : o.due < now) continue;  // never sent
        if (journal && journal->occurrence(campaign.id(), step.id, o.id)) continue;
        out.push_back(std::move(o));
    }
    return out;
}

std::vector<PlannedOccurrence> chosen_occurrences(const Campaign& campaign, const Step& step, Journal* journal,
                                                  const std::string& occurrence, Instant now) {
    auto open = undecided_occurrences(campaign, step, journal, now);
    if (!occurrence.empty()) {
        const auto it = std::find_if(open.begin(), open.end(), [&](const auto& o) { return o.id == occurrence; });
        if (it != open.end()) return {*it};
        if (journal)
            if (const auto decided = journal->occurrence(campaign.id(), step.id, occurrence)) {
                std::cerr << "error: " << campaign.id() << " " << step.id << " " << terminal_safe(occurrence)
                          << " was decided already (" << to_string(decided->status) << " on "
                          << format_local(decided->decided_at, campaign.timezone())
                          << (decided->reason.empty() ? "" : ": " + terminal_safe(decided->reason)) << ")\n";
                return {};
            }
        std::vector<std::string> ids;
        for (const auto& o : open) ids.push_back(o.id);
        const std::string hint = closest_match(occurrence, ids);
        std::cerr << "error: no undecided occurrence '" << terminal_safe(occurrence) << "' of " << campaign.id() << " "
                  << step.id << (hint.empty() ? "" : " (did you mean '" + hint + "'?)")
                  << (ids.empty() ? "; it has none left" : "; the next is " + ids.front()) << "\n";
        return {};
    }
    if (open.empty()) {
        std::cerr << "error: " << campaign.id() << " " << step.id << " has no undecided occurrence left\n";
        return {};
    }
    std::vector<PlannedOccurrence> same_due;
    for (auto& o : open)
        if (o.due == open.front().due) same_due.push_back(std::move(o));
    return same_due;
}

bool is_utf8_argument(const std::string& option, const std::string& text) {
    std::size_t bad = 0;
    if (is_valid_utf8(text, &bad)) return true;
    std::cerr << "error: " << option << ": not valid UTF-8 (byte " << bad + 1 << "); give the text in UTF-8\n";
    return false;
}

std::optional<Instant> parse_local_instant(const std::string& text, const std::string& zone) {
    if (text.size() == 10)
        if (const auto date = parse_date(text)) return start_of_day(*date, zone);
    if (text.size() == 16 && text[10] == 'T') return parse_response_time(text, zone);
    return std::nullopt;
}

}  // namespace outreach::cli
