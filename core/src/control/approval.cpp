#include "control/approval.hpp"

#include "outreach/language.hpp"

#include <glib.h>

#include <sstream>

#include "config/input_limits.hpp"

namespace outreach {
namespace {

// Length-prefixed fields: "ab" + "c" and "a" + "bc" hash differently.
class ContentDigest {
public:
    ContentDigest() : checksum_(g_checksum_new(G_CHECKSUM_SHA256)) {}
    ~ContentDigest() { g_checksum_free(checksum_); }
    ContentDigest(const ContentDigest&) = delete;
    ContentDigest& operator=(const ContentDigest&) = delete;

    void add(std::string_view label, std::string_view value) {
        const std::string head = std::string(label) + ":" + std::to_string(value.size()) + ":";
        g_checksum_update(checksum_, reinterpret_cast<const guchar*>(head.data()), static_cast<gssize>(head.size()));
        g_checksum_update(checksum_, reinterpret_cast<const guchar*>(value.data()), static_cast<gssize>(value.size()));
    }
    std::string hex() const { return g_checksum_get_string(checksum_); }

private:
    GChecksum* checksum_;
};

std::string template_name(const Step& step) {
    if (const auto* letter = std::get_if<LetterAction>(&step.action)) return letter->template_name;
    return std::get<TaskAction>(step.action).template_name;
}

}  // namespace

std::string approval_content_hash(const Campaign& campaign, const Step& step) {
    const CampaignConfig& config = campaign.config;
    ContentDigest digest;
    digest.add("type", config.type);
    digest.add("plugin", campaign.plugin_name);
    digest.add("timezone", config.timezone);
    std::ostringstream params;
    params << toml::toml_formatter{config.params};
    digest.add("params", params.str());
    digest.add("sender.name", config.sender.name);
    digest.add("sender.email", config.sender.email);
    for (const auto& role : config.addressees) digest.add("addressee", role);
    digest.add("step", step.id);
    if (const auto* letter = std::get_if<LetterAction>(&step.action))
        for (const auto& role : letter->roles) digest.add("step.role", role);
    // The template and each language variant of it: the proof shows one letter
    // per language, so an edit of any variant changes what was approved.
    const std::string name = template_name(step);
    for (const auto& language : supported_languages()) {
        const std::string variant = language == kDefaultLanguage ? name : name + "." + language;
        digest.add("template", variant);
        const auto file = campaign.templates ? campaign.templates->find(config.type, variant) : std::filesystem::path();
        Diagnostics ignored;  // a missing or unreadable template cannot be approved as anything but "missing"
        const auto text =
            file.empty() ? std::nullopt : read_bounded_file(file, InputLimits::kTemplateBytes, "template", ignored);
        digest.add("template.text", text ? *text : std::string("\x01missing"));
    }
    digest.add("language", config.language);
    for (const auto& entry : config.languages) digest.add("language." + entry.state, entry.language);
    digest.add("pdf", config.pdf ? "yes" : "no");
    for (const State& state : campaign.roster.states()) {
        digest.add("state", state.code);
        digest.add("state.name", state.name);
        digest.add("state.formal_name", state.formal_name);
        digest.add("state.status", state.status == StateStatus::Member ? "member" : "observer");
        digest.add("state.group", state.regional_group);
        digest.add("state.capital", state.capital);
        digest.add("state.language", state.language);
        for (const auto& [language, translated] : state.names_by_language) digest.add("state.name." + language, translated);
        for (const Addressee& a : state.addressees) {
            digest.add("addressee.role", a.role);
            digest.add("addressee.title", a.title);
            digest.add("addressee.honorific", a.honorific);
            digest.add("addressee.name", a.name);
            digest.add("addressee.email", a.email);
            for (const auto& [language, title] : a.titles_by_language) digest.add("addressee.title." + language, title);
        }
    }
    return digest.hex();
}

bool ApprovalBook::reload() {
    std::map<std::string, ApprovalRecord> fresh;
    std::string signature;
    for (auto& record : journal_.approvals()) {
        signature += record.campaign + '\n' + record.step + '\n' + record.occurrence + '\n' + record.content_hash +
                     (record.decision == ApprovalRecord::Decision::Rejected ? "R" : "A") +
                     std::to_string(record.at.time_since_epoch().count()) + '\n';
        const std::string k = key(record.campaign, record.step, record.occurrence);
        fresh.insert_or_assign(k, std::move(record));
    }
    by_key_ = std::move(fresh);
    const bool changed = signature != signature_;
    signature_ = std::move(signature);
    return changed;
}

const std::string& ApprovalBook::content_hash(const Campaign& campaign, const Step& step) {
    const std::string k = campaign.id() + '\n' + step.id;
    auto it = hashes_.find(k);
    if (it == hashes_.end()) it = hashes_.emplace(k, approval_content_hash(campaign, step)).first;
    return it->second;
}

ApprovalStatus ApprovalBook::status(const PlannedOccurrence& o) {
    ApprovalStatus status;
    const auto it = by_key_.find(key(o.campaign->id(), o.step->id, o.id));
    // `outreach reject` cancels an occurrence of any step.
    if (it != by_key_.end() && it->second.decision == ApprovalRecord::Decision::Rejected) {
        status.state = ApprovalState::Rejected;
        status.record = it->second;
        return status;
    }
    if (!o.campaign->approval_lead(*o.step)) return status;
    status.content_hash = content_hash(*o.campaign, *o.step);
    if (it == by_key_.end()) {
        status.state = ApprovalState::Pending;
        return status;
    }
    status.record = it->second;
    status.state = it->second.content_hash == status.content_hash ? ApprovalState::Approved : ApprovalState::Lapsed;
    return status;
}

void ApprovalBook::remember(const ApprovalRecord& record) {
    by_key_.insert_or_assign(key(record.campaign, record.step, record.occurrence), record);
}

}  // namespace outreach
