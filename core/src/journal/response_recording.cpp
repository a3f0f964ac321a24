#include "journal/response_recording.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "config/param_validation.hpp"
#include "roster/roster_loader.hpp"
#include "time/timezone.hpp"

namespace outreach {
namespace {

constexpr const char* kNumerals[] = {"I", "II", "III", "IV"};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

std::string summarize(const std::vector<ResponseProblem>& problems) {
    std::string out;
    for (const auto& p : problems) out += (out.empty() ? "" : "\n") + p.field + ": " + p.message;
    return out;
}

std::string payload_name(ResponseKind::Payload payload) {
    switch (payload) {
        case ResponseKind::Payload::None: return "no payload";
        case ResponseKind::Payload::Treaty: return "a treaty";
        case ResponseKind::Payload::Pillar: return "a pillar";
        case ResponseKind::Payload::Note: return "a note";
    }
    return "?";
}

// The State named by the operator, or a problem saying why there is none.
const State* find_state(const Campaign& campaign, const std::string& code_or_name,
                        std::vector<ResponseProblem>& problems) {
    const std::string wanted = trim(code_or_name);
    if (wanted.empty()) {
        problems.push_back({"state", "no State given (an alpha-3 code such as FRA, or the State's exact name)"});
        return nullptr;
    }
    if (const State* state = campaign.roster.find(wanted)) return state;

    // Distinguish "not in this campaign" from "no such State" with the whole roster file.
    Roster full;
    if (!campaign.config.roster.empty()) {
        Diagnostics ignored;
        full = load_roster(campaign.config.roster, ignored);
        if (const State* state = full.find(wanted)) {
            problems.push_back({"state", state->name + " (" + state->code + ") is not in the roster of campaign '" +
                                             campaign.id() + "' (see its [roster] filter)"});
            return nullptr;
        }
    }
    std::vector<std::string> names;
    for (const Roster* roster : {&campaign.roster, static_cast<const Roster*>(&full)})
        for (const auto& s : roster->states()) names.push_back(s.name);
    std::string hint = closest_match(wanted, names);
    if (hint.empty()) {
        // Names differ from what operators type mostly in case ("france").
        for (const auto& name : names)
            if (lower(name) == lower(wanted)) hint = name;
    }
    problems.push_back({"state", "unknown State '" + wanted + "'" +
                                     (hint.empty() ? " (give an alpha-3 code such as FRA, or the State's exact name)"
                                                   : " (did you mean '" + hint + "'?)")});
    return nullptr;
}

void report_unknown_kind(const Campaign& campaign, const std::string& kind, std::vector<ResponseProblem>& problems) {
    const auto names = campaign.response_kind_names();
    if (names.empty()) {
        problems.push_back({"kind", "campaign type '" + campaign.config.type + "' declares no response kinds"});
        return;
    }
    const std::string hint = closest_match(kind, names);
    problems.push_back({"kind", (kind.empty() ? std::string("no response kind given") : "unknown response kind '" + kind + "'") +
                                    (hint.empty() || kind.empty() ? "" : " (did you mean '" + hint + "'?)") + "; " +
                                    campaign.config.type + " takes " + join(names)});
}

// The highlighted spelling of `treaty` when it matches up to case; warns otherwise.
std::string check_treaty(const Campaign& campaign, const std::string& treaty, std::vector<std::string>& warnings) {
    const auto it = campaign.workflow.values.lists.find("treaties");
    if (it == campaign.workflow.values.lists.end() || it->second.empty()) return treaty;
    for (const auto& highlighted : it->second)
        if (lower(highlighted) == lower(treaty)) return highlighted;
    const std::string hint = closest_match(treaty, it->second);
    warnings.push_back("treaty '" + treaty + "' is not one of the treaties highlighted by campaign '" + campaign.id() +
                       "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)") + "; recorded as given");
    return treaty;
}

}  // namespace

ResponseRefused::ResponseRefused(std::vector<ResponseProblem> problems)
    : std::invalid_argument(summarize(problems)), problems_(std::move(problems)) {}

ValidatedResponse validate_response(const Campaign& campaign, const std::string& state_code_or_name,
                                    const std::string& kind_name, const ResponsePayload& payload, Instant at,
                                    std::optional<Instant> now) {
    std::vector<ResponseProblem> problems;
    ValidatedResponse out;
    const State* state = find_state(campaign, state_code_or_name, problems);
    const auto kinds = campaign.type->response_kinds();
    const auto kind_it = std::find_if(kinds.begin(), kinds.end(), [&](const ResponseKind& k) { return k.name == kind_name; });
    if (kind_it == kinds.end()) report_unknown_kind(campaign, kind_name, problems);

    const std::string treaty = trim(payload.treaty);
    const std::string pillar = trim(payload.pillar);
    const std::string note = trim(payload.note);
    if (kind_it != kinds.end()) {
        const ResponseKind& kind = *kind_it;
        const auto refuse_extra = [&](const std::string& field, const std::string& value) {
            if (!value.empty())
                problems.push_back({field, "response kind '" + kind.name + "' takes " + payload_name(kind.payload) +
                                               ", not a " + field});
        };
        switch (kind.payload) {
            case ResponseKind::Payload::Treaty:
                refuse_extra("pillar", pillar);
                if (treaty.empty())
                    problems.push_back({"treaty", "response kind '" + kind.name + "' needs the treaty it concerns"});
                else
                    out.response.payload = check_treaty(campaign, treaty, out.warnings);
                out.note = note;
                break;
            case ResponseKind::Payload::Pillar:
                refuse_extra("treaty", treaty);
                if (pillar.empty()) {
                    problems.push_back({"pillar", "response kind '" + kind.name + "' needs a pillar, 1 to 4"});
                } else if (const auto n = parse_pillar(pillar)) {
                    out.response.payload = pillar_numeral(*n);
                } else {
                    problems.push_back({"pillar", "'" + pillar + "' is not a pillar; give 1, 2, 3 or 4 (or I to IV)"});
                }
                out.note = note;
                break;
            case ResponseKind::Payload::Note:
                refuse_extra("treaty", treaty);
                refuse_extra("pillar", pillar);
                out.response.payload = note;
                break;
            case ResponseKind::Payload::None:
                refuse_extra("treaty", treaty);
                refuse_extra("pillar", pillar);
                out.note = note;
                break;
        }
    }
    if (now && at > *now + std::chrono::minutes(1))
        problems.push_back({"at", format_local(at, campaign.timezone()) + " is in the future (now " +
                                      format_local(*now, campaign.timezone()) +
                                      "); record a response once it has been received"});
    if (!problems.empty()) throw ResponseRefused(std::move(problems));
    out.response.state = state->code;
    out.response.kind = kind_name;
    out.response.at = at;
    return out;
}

std::optional<Instant> parse_response_time(std::string_view text, const std::string& zone) {
    const auto date = parse_date(text.substr(0, 10));
    if (!date) return std::nullopt;
    if (text.size() == 10) return to_instant(*date, LocalTime{9, 0}, zone);
    if (text.size() < 16 || (text[10] != 'T' && text[10] != ' ')) return std::nullopt;
    const auto time = parse_local_time(text.substr(11, 5));
    if (!time) return std::nullopt;
    int seconds = 0;
    if (text.size() == 19 && text[16] == ':') {
        const auto* first = text.data() + 17;
        const auto result = std::from_chars(first, first + 2, seconds);
        if (result.ec != std::errc{} || result.ptr != first + 2 || seconds > 59) return std::nullopt;
    } else if (text.size() != 16) {
        return std::nullopt;
    }
    return to_instant(*date, *time, zone) + std::chrono::seconds(seconds);
}

std::optional<int> parse_pillar(std::string_view text) {
    std::string upper(text);
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    for (int i = 0; i < 4; ++i)
        if (upper == kNumerals[i] || upper == std::to_string(i + 1)) return i + 1;
    return std::nullopt;
}

std::string pillar_numeral(int pillar) {
    if (pillar < 1 || pillar > 4) throw std::out_of_range("pillar " + std::to_string(pillar) + " is not 1 to 4");
    return kNumerals[pillar - 1];
}

bool same_response(const ResponseRecord& record, const std::string& campaign, const Response& response) {
    return record.campaign == campaign && record.response.state == response.state &&
           record.response.kind == response.kind && record.response.payload == response.payload &&
           record.response.at == response.at;
}

std::string describe_response(const Campaign* campaign, const Response& response) {
    if (response.payload.empty()) return response.kind;
    ResponseKind::Payload payload = ResponseKind::Payload::Note;
    if (campaign)
        for (const auto& k : campaign->type->response_kinds())
            if (k.name == response.kind) payload = k.payload;
    if (payload == ResponseKind::Payload::Pillar) return response.kind + " (pillar " + response.payload + ")";
    if (payload == ResponseKind::Payload::Note) return response.kind + " (\"" + response.payload + "\")";
    return response.kind + " (" + response.payload + ")";
}

}  // namespace outreach
