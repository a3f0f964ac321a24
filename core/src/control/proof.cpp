#include "control/proof.hpp"

#include <set>
#include <stdexcept>

#include "control/approval.hpp"
#include "delivery/letter_composer.hpp"
#include "delivery/letter_language.hpp"
#include "outreach/language.hpp"
#include "schedule/audience.hpp"
#include "time/timezone.hpp"

namespace outreach {

std::vector<const State*> sample_state_per_language(const Campaign& campaign, const std::vector<const State*>& audience) {
    // The first State of the audience (else of the roster) writing in each language.
    std::vector<const State*> samples;
    std::set<std::string> languages;
    const auto consider = [&](const State& state) {
        if (languages.insert(letter_language(campaign, state)).second) samples.push_back(&state);
    };
    for (const State* state : audience) consider(*state);
    if (samples.empty())
        for (const State& state : campaign.roster.states()) consider(state);
    return samples;
}

std::string scheduled_proof_key(const PlannedOccurrence& o, const std::string& content_hash) {
    return o.campaign->id() + "/" + o.step->id + "/" + o.id + "/proof/" + short_hash(content_hash);
}

namespace {

std::string when(Instant at, const std::string& zone) { return format_local(at, zone) + " (" + format_instant_utc(at) + ")"; }

}  // namespace

Letter compose_proof(const PlannedOccurrence& o, Instant now, const std::vector<ResponseRecord>& records,
                     const ProofRequest& request) {
    const Campaign& campaign = *o.campaign;
    const std::string& zone = campaign.timezone();
    const auto known = responses_until(records, now);
    const CampaignContext context = campaign.context();
    const Occurrence occurrence = o.sdk_view();
    const FiringContext firing{context, campaign.workflow, occurrence, now};
    OccurrenceValues shared(o, firing, known);  // per letter language, on first use
    const auto audience = resolve_audience(o, known, now);
    const bool task = std::holds_alternative<TaskAction>(o.step->action);

    std::vector<Letter> samples;
    std::string recipients;
    std::size_t letters = 0;
    std::set<std::string> states;
    if (task) {
        samples.push_back(compose_task(o, shared.in(std::string(kDefaultLanguage)), known, audience));
        letters = 1;
        recipients = "task for staff <" + campaign.config.sender.staff_email + ">\n";
    } else {
        const auto& action = std::get<LetterAction>(o.step->action);
        const auto& roles = action.roles.empty() ? campaign.config.addressees : action.roles;
        const auto by_state = responses_by_state(known);
        static const std::vector<Response> none;
        const auto render_for = [&](const State& state) {
            const auto own = by_state.find(state.code);
            const TemplateData data = state_values(shared, state, own == by_state.end() ? none : own->second);
            for (const auto& role : roles)
                if (const Addressee* addressee = state.addressee(role)) {
                    samples.push_back(compose_letter(o, data, state, *addressee));
                    return;
                }
        };
        if (!request.sample_state.empty()) {
            const State* chosen = campaign.roster.find(request.sample_state);
            if (!chosen)
                throw std::invalid_argument("no State '" + request.sample_state + "' in the roster of " + campaign.id());
            render_for(*chosen);
        } else {
            for (const State* state : sample_state_per_language(campaign, audience)) render_for(*state);
        }
        for (const State* state : audience)
            for (const auto& role : roles)
                if (const Addressee* a = state->addressee(role)) {
                    ++letters;
                    states.insert(state->code);
                    recipients += state->code + "  " + state->name + "  " + role + "  " +
                                  (a->name.empty() ? a->title : a->name) + " <" + a->email + ">\n";
                }
    }

    const bool test = request.kind == ProofKind::Test;
    const std::string count =
        task ? std::string("1 task for staff")
             : std::to_string(letters) + " letter" + (letters == 1 ? "" : "s") + " to " + std::to_string(states.size()) +
                   " State" + (states.size() == 1 ? "" : "s");
    std::string body;
    body += test ? "TEST PROOF. Nothing has been sent to any State; this message is not a delivery of the step.\n\n"
                 : "PROOF FOR APPROVAL. Nothing has been sent to any State. This step waits for your approval.\n\n";
    body += "Campaign:    " + campaign.id() + " (" + campaign.config.type + ")\n";
    body += "Step:        " + o.step->id + (o.step->description.empty() ? "" : ": " + o.step->description) + "\n";
    body += "Occurrence:  " + o.id + "\n";
    body += "Due:         " + when(o.due, zone) + "\n";
    if (o.valid_until) body += "Deadline:    not sent at or after " + when(*o.valid_until, zone) + "\n";
    body += "Recipients:  " + count + " (as of " + when(now, zone) + "; States that answer before it fires drop out)\n";
    body += "Content:     " + short_hash(request.content_hash) +
            " (an approval holds for this content only: a changed template, params or roster needs a new one)\n";
    if (!test) {
        body += "\nTo approve:  outreach approve " + campaign.id() + " " + o.step->id + " " + o.id + " --note TEXT\n";
        body += "To reject:   outreach reject " + campaign.id() + " " + o.step->id + " " + o.id + " --reason TEXT\n";
    }
    for (const auto& sample : samples) {
        body += "\n==== Sample " + std::string(task ? "task" : "letter") +
                (sample.state.empty() ? std::string() : " for " + sample.state) +
                (sample.language.empty() ? std::string() : ", in " + sample.language) + " ====\n";
        body += "To: " + sample.to_name + " <" + sample.to_email + ">\n";
        body += "Subject: " + sample.subject + "\n\n" + sample.body;
        if (!sample.body.empty() && sample.body.back() != '\n') body += "\n";
    }
    body += "\n==== Recipients: " + count + " ====\n";
    body += recipients.empty() ? "(none at present)\n" : recipients;

    Letter letter;
    letter.idempotency_key = request.key;
    letter.scheduled = now;
    letter.from_name = campaign.config.sender.name;
    letter.from_email = campaign.config.sender.email;
    letter.to_name = "Staff";
    letter.to_email = request.to_email;
    letter.subject = std::string(test ? "[Test proof] " : "[Proof for approval] ") + campaign.id() + " " + o.step->id +
                     " " + o.id + (samples.empty() ? "" : ": " + samples.front().subject);
    letter.body = body;
    letter.campaign = campaign.id();
    letter.step = o.step->id;
    letter.occurrence = o.id;
    letter.is_task = true;
    return letter;
}

}  // namespace outreach
