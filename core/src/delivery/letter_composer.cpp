#include "delivery/letter_composer.hpp"

#include <map>
#include <set>

#include "delivery/attachments.hpp"
#include "delivery/letter_language.hpp"
#include "delivery/pdf_renderer.hpp"
#include "delivery/text_wrap.hpp"
#include "outreach/language.hpp"
#include "time/timezone.hpp"

namespace outreach {
namespace {

std::string template_name(const Step& step) {
    if (const auto* letter = std::get_if<LetterAction>(&step.action)) return letter->template_name;
    return std::get<TaskAction>(step.action).template_name;
}

Letter envelope(const PlannedOccurrence& o, const RenderedTemplate& rendered) {
    Letter letter;
    letter.scheduled = o.due;
    letter.from_name = o.campaign->config.sender.name;
    letter.from_email = o.campaign->config.sender.email;
    letter.subject = rendered.subject;
    letter.body = wrap_text(rendered.body);
    letter.campaign = o.campaign->id();
    letter.step = o.step->id;
    letter.occurrence = o.id;
    return letter;
}

void merge(TemplateData& data, const TemplateValues& extra) {
    for (const auto& [name, value] : extra.scalars) data.scalars[name] = value;
    for (const auto& [name, list] : extra.lists) data.lists[name] = list;
}

// The same firing, asking the plugin for values in `language`.
FiringContext in_language(const FiringContext& firing, const std::string& language) {
    return FiringContext{firing.campaign, firing.workflow, firing.occurrence, firing.now, language};
}

std::string state_name(const Campaign& campaign, const std::string& code) {
    const State* s = campaign.roster.find(code);
    return s ? s->name : code;
}

}  // namespace

std::string idempotency_key(const PlannedOccurrence& o, const std::string& recipient) {
    return o.campaign->id() + "/" + o.step->id + "/" + o.id + "/" + recipient;
}

TemplateData occurrence_values(const PlannedOccurrence& o, const FiringContext& firing,
                               const std::vector<Response>& responses) {
    const Campaign& c = *o.campaign;
    const std::string& language = firing.language;
    TemplateData data;
    data.language = language;
    data.scalars = c.workflow.values.scalars;
    data.lists = c.workflow.values.lists;
    if (const auto it = c.workflow.values_by_language.find(language); it != c.workflow.values_by_language.end())
        merge(data, it->second);
    data.scalars["campaign_id"] = c.id();
    data.scalars["step_id"] = o.step->id;
    data.scalars["sender_name"] = c.config.sender.name;
    data.scalars["sender_email"] = c.config.sender.email;
    data.scalars["letter_date"] = format_date_long(local_date(o.due, c.timezone()), language);
    for (const auto& m : c.workflow.milestones) {
        // A per-State milestone's date is the addressed State's own (state_values).
        const bool own = m.is_per_state();
        data.scalars["milestone_" + m.id] = own ? "" : format_date_long(m.date, language);
        data.scalars["milestone_" + m.id + "_iso"] = own ? "" : format_date(m.date);
    }
    if (o.response) {
        // Letters answering a response (on_response) can name what was answered.
        data.scalars["response_kind"] = o.response->response.kind;
        data.scalars["response_payload"] = o.response->response.payload;
        data.scalars["response_note"] = o.response->note;
        data.scalars["response_date"] = format_date_long(local_date(o.response->response.at, c.timezone()), language);
    }
    merge(data, c.type->firing_values(firing, responses));
    return data;
}

const TemplateData& OccurrenceValues::in(const std::string& language) {
    auto it = by_language_.find(language);
    if (it == by_language_.end())
        it = by_language_.emplace(language, occurrence_values(occurrence_, in_language(firing_, language), responses_))
                 .first;
    return it->second;
}

const std::string& OccurrenceValues::written_in(const std::string& language) {
    auto it = written_in_.find(language);
    if (it == written_in_.end()) {
        const Campaign& c = *occurrence_.campaign;
        const std::string& name = template_name(*occurrence_.step);
        const bool translated = language == kDefaultLanguage ||
                                c.templates->name_for_language(c.config.type, name, language) != name;
        it = written_in_.emplace(language, translated ? language : std::string(kDefaultLanguage)).first;
    }
    return it->second;
}

TemplateData state_values(OccurrenceValues& shared, const State& state, const std::vector<Response>& own_responses) {
    const PlannedOccurrence& o = shared.occurrence();
    const std::string language = shared.written_in(letter_language(*o.campaign, state));
    TemplateData data = shared.in(language);
    data.scalars["state_code"] = state.code;
    data.scalars["state_name"] = state.name_in(language);
    // The roster's formal names are English; other languages use the short name.
    data.scalars["state_formal_name"] =
        language != kDefaultLanguage || state.formal_name.empty() ? state.name_in(language) : state.formal_name;
    data.scalars["state_capital"] = state.capital;
    for (const auto& m : o.campaign->workflow.milestones)
        if (const auto it = m.per_state.find(state.code); it != m.per_state.end()) {
            data.scalars["milestone_" + m.id] = format_date_long(it->second, language);
            data.scalars["milestone_" + m.id + "_iso"] = format_date(it->second);
        }
    merge(data, o.campaign->type->letter_values(in_language(shared.firing(), language), state, own_responses));
    return data;
}

Letter compose_letter(const PlannedOccurrence& o, const TemplateData& state_data, const State& state,
                      const Addressee& addressee) {
    TemplateData data = state_data;
    const std::string& language = data.language;
    const std::string title = addressee_title_in(addressee, state, language);
    data.scalars["addressee_role"] = addressee.role;
    data.scalars["addressee_title"] = title;
    data.scalars["addressee_honorific"] = honorific_in(addressee.honorific, language);
    data.scalars["addressee_name"] = addressee.name;
    // The address block at the foot of a letter, without the lines not known yet
    // (names are filled in by operators over time). The honorific belongs to the
    // name ("His Excellency" / "Mr. ..."): without a name it would stand alone.
    data.scalars["addressee_block"] = addressee_block(addressee, state, language);
    const auto rendered = o.campaign->templates->render(o.campaign->config.type, template_name(*o.step), data);
    Letter letter = envelope(o, rendered);
    letter.language = language;
    if (o.campaign->config.pdf) {
        // The same letter as a PDF, enclosed first; then the step's enclosures.
        const PdfLetter pdf{rendered.body, language, rendered.subject, o.due};
        letter.attachments.push_back(make_attachment(o.campaign->id() + "-" + o.step->id + "-" + state.code + ".pdf",
                                                     "application/pdf", render_letter_pdf(pdf)));
    }
    const auto& enclosures = attachments_for(*o.campaign, o.step->id, language);
    letter.attachments.insert(letter.attachments.end(), enclosures.begin(), enclosures.end());
    letter.idempotency_key = idempotency_key(o, state.code + "/" + addressee.role);
    letter.state = state.code;
    // Without a name, the title; a generic one ("Ministre des affaires étrangères")
    // gets the State, so the recipient line says whose minister it is.
    const std::string& state_name = state.name_in(language);
    letter.to_name = !addressee.name.empty()                         ? addressee.name
                     : title.find(state_name) != std::string::npos ? title
                                                                     : title + " – " + state_name;
    letter.to_email = addressee.email;
    return letter;
}

Letter compose_task(const PlannedOccurrence& o, const TemplateData& shared, const std::vector<Response>& responses,
                    const std::vector<const State*>& audience) {
    const Campaign& c = *o.campaign;
    TemplateData data = shared;
    auto& listed = data.lists["audience_states"];
    for (const State* s : audience) listed.push_back(s->name + " (" + s->code + ")");
    data.scalars["audience_count"] = std::to_string(audience.size());
    std::set<std::string> responded;
    std::map<std::string, int> per_kind;
    auto& lines = data.lists["responses"];
    for (const auto& r : responses) {
        responded.insert(r.state);
        ++per_kind[r.kind];
        lines.push_back(state_name(c, r.state) + " (" + r.state + "): " + r.kind +
                        (r.payload.empty() ? "" : " — " + r.payload));
    }
    auto& missing = data.lists["not_responded"];
    for (const auto& s : c.roster.states())
        if (!responded.count(s.code)) missing.push_back(s.name);
    for (const auto& kind : c.type->response_kinds()) data.scalars["responses_" + kind.name + "_count"] = "0";
    for (const auto& [kind, count] : per_kind) data.scalars["responses_" + kind + "_count"] = std::to_string(count);
    data.scalars["roster_count"] = std::to_string(c.roster.size());
    data.scalars["responded_count"] = std::to_string(responded.size());
    data.scalars["not_responded_count"] = std::to_string(missing.size());
    const auto rendered = c.templates->render(c.config.type, template_name(*o.step), data);
    Letter letter = envelope(o, rendered);
    letter.idempotency_key = idempotency_key(o, "staff");
    letter.is_task = true;
    letter.to_name = "Staff";
    letter.to_email = c.config.sender.staff_email;
    return letter;
}

}  // namespace outreach
