#include "delivery/attachments.hpp"

#include <glib.h>

#include <array>
#include <tuple>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>

#include "config/input_limits.hpp"
#include "runtime.hpp"

namespace outreach {
namespace {

namespace fs = std::filesystem;

std::string lower(std::string text) {
    for (char& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

// One file, read once for every letter that encloses it; nullopt (and an error
// at the entry) when it cannot be used.
std::optional<Attachment> read_attachment(const CampaignConfig& config, const AttachmentEntry& entry,
                                          std::int64_t budget, Diagnostics& out) {
    auto fail = [&](const std::string& why) {
        out.push_back(Diagnostic{config.file, entry.at.line, entry.at.column, entry.field,
                                 entry.file.string() + ": " + why});
        return std::nullopt;
    };
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(entry.file, ec);
    if (ec || !fs::exists(status)) return fail("no such file");
    // The path is the operator's, but never followed through a link somebody else may retarget.
    if (fs::is_symlink(status)) return fail("is a symbolic link; name the file itself");
    if (!fs::is_regular_file(status)) return fail("is not a regular file");
    Diagnostics problems;
    auto bytes = read_bounded_file(entry.file, static_cast<std::uintmax_t>(budget), "attachment", problems);
    if (!bytes) {
        const std::uintmax_t size = fs::file_size(entry.file, ec);
        if (!ec && size > static_cast<std::uintmax_t>(budget))
            return fail("is " + std::to_string(size) + " bytes; with the step's other enclosures that is over "
                        "max_attachment_bytes = " + std::to_string(config.max_attachment_bytes));
        return fail(problems.empty() ? "cannot be read" : problems.front().message);
    }
    const std::string name = entry.file.filename().string();
    return make_attachment(name, content_type_for(name), std::move(*bytes));
}

std::vector<Attachment> read_list(const CampaignConfig& config, const std::vector<AttachmentEntry>& entries,
                                  Diagnostics& out) {
    std::vector<Attachment> list;
    std::int64_t used = 0;
    for (const auto& entry : entries)
        if (auto attachment = read_attachment(config, entry, config.max_attachment_bytes - used, out)) {
            used += static_cast<std::int64_t>(attachment->content->size());
            list.push_back(std::move(*attachment));
        }
    return list;
}

std::vector<Attachment> from_enclosures(const std::vector<Enclosure>& enclosures) {
    std::vector<Attachment> list;
    list.reserve(enclosures.size());
    for (const auto& e : enclosures)
        list.push_back(make_attachment(e.filename, e.content_type.empty() ? content_type_for(e.filename) : e.content_type,
                                       e.content));
    return list;
}

}  // namespace

Attachment make_attachment(std::string filename, std::string content_type, std::string content) {
    std::unique_ptr<char, decltype(&g_free)> digest(
        g_compute_checksum_for_data(G_CHECKSUM_SHA256, reinterpret_cast<const guchar*>(content.data()), content.size()),
        &g_free);
    return Attachment{std::move(filename), std::move(content_type), std::make_shared<const std::string>(std::move(content)),
                      digest.get()};
}

std::string content_type_for(const std::string& filename) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kTypes{{
        {".pdf", "application/pdf"},
        {".txt", "text/plain; charset=utf-8"},
        {".csv", "text/csv; charset=utf-8"},
        {".html", "text/html; charset=utf-8"},
        {".doc", "application/msword"},
        {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {".odt", "application/vnd.oasis.opendocument.text"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
    }};
    const std::string extension = lower(fs::path(filename).extension().string());
    for (const auto& [ext, type] : kTypes)
        if (extension == ext) return std::string(type);
    return "application/octet-stream";
}

void load_attachments(Campaign& campaign, Diagnostics& out) {
    using List = std::shared_ptr<const std::vector<Attachment>>;
    const CampaignConfig& config = campaign.config;
    List campaign_wide;
    if (config.attachments) campaign_wide = std::make_shared<const std::vector<Attachment>>(read_list(config, *config.attachments, out));
    // A plugin often encloses the same files with several steps (treaty_event: the
    // treaty list with the invitation and each reminder): one list, one digest per
    // file, shared by the steps. Keyed by views into the workflow's enclosures:
    // filename, declared content type, content.
    using EnclosureKey = std::tuple<std::string_view, std::string_view, std::string_view>;
    std::map<std::vector<EnclosureKey>, List> lists;
    const auto& steps = campaign.workflow.steps;
    for (std::size_t index = 0; index < steps.size(); ++index) {
        const Step& step = steps[index];
        if (!std::holds_alternative<LetterAction>(step.action)) continue;
        const StepSettings* settings = nullptr;
        for (const auto& s : config.step_settings)
            if (s.step == step.id && s.attachments) settings = &s;
        if (settings) {
            campaign.attachments.push_back(
                {index, "", std::make_shared<const std::vector<Attachment>>(read_list(config, *settings->attachments, out))});
        } else if (campaign_wide) {
            campaign.attachments.push_back({index, "", campaign_wide});
        } else {
            // The plugin's keys: "<step id>" for every language, "<step id>@<language>".
            for (const auto& [key, enclosures] : campaign.workflow.enclosures) {
                std::string language;
                if (key != step.id) {
                    if (key.size() <= step.id.size() + 1 || key.compare(0, step.id.size(), step.id) != 0 ||
                        key[step.id.size()] != '@')
                        continue;
                    language = key.substr(step.id.size() + 1);
                }
                std::vector<EnclosureKey> content;
                for (const auto& e : enclosures) content.emplace_back(e.filename, e.content_type, e.content);
                List& list = lists[content];
                if (!list) list = std::make_shared<const std::vector<Attachment>>(from_enclosures(enclosures));
                campaign.attachments.push_back({index, std::move(language), list});
            }
        }
    }
    // Held as attachments from here on: the plugin's copies are not read again.
    campaign.workflow.enclosures.clear();
    // The plugin's enclosures count against the limit too.
    for (const auto& entry : campaign.attachments) {
        std::uintmax_t total = 0;
        for (const auto& a : *entry.list) total += a.content->size();
        if (total > static_cast<std::uintmax_t>(config.max_attachment_bytes))
            out.push_back(Diagnostic{config.file, config.max_attachment_bytes_at.line, config.max_attachment_bytes_at.column,
                                     "max_attachment_bytes",
                                     "the enclosures of step " + steps[entry.step].id +
                                         (entry.language.empty() ? "" : "@" + entry.language) + " weigh " +
                                         std::to_string(total) + " bytes, over max_attachment_bytes = " +
                                         std::to_string(config.max_attachment_bytes)});
    }
}

const std::vector<Attachment>& attachments_for(const Campaign& campaign, const std::string& step,
                                               const std::string& language) {
    static const std::vector<Attachment> none;
    const std::vector<Attachment>* every_language = &none;
    for (const auto& entry : campaign.attachments) {
        if (campaign.workflow.steps[entry.step].id != step) continue;
        if (entry.language == language) return *entry.list;
        if (entry.language.empty()) every_language = entry.list.get();
    }
    return *every_language;
}

}  // namespace outreach
