#pragma once
// Proofs: what staff read before approving a step. A proof is a message to staff
// (never to a State) with the letter as it would go out now, rendered for one
// sample State per correspondence language, the full recipient list with counts,
// the due time and the content hash the approval will be bound to.
#include <string>
#include <vector>

#include "delivery/letter.hpp"
#include "journal/journal.hpp"
#include "schedule/occurrences.hpp"

namespace outreach {

// The States whose letters a proof shows: one per correspondence language of
// the audience. The roster has no per-State language yet (every letter is in
// English), so this is the audience's first State; when the audience is empty,
// the campaign roster's first State, so that staff still see the text.
OUTREACH_EXPORT std::vector<const State*> sample_state_per_language(const Campaign& campaign,
                                                                     const std::vector<const State*>& audience);

enum class ProofKind { Scheduled, Test };

struct ProofRequest {
    ProofKind kind = ProofKind::Scheduled;
    std::string key;            // the proof's own idempotency key
    std::string to_email;       // staff, or the address given to `outreach proof --to`
    std::string content_hash;
    std::string sample_state;   // `outreach proof --state`: this State instead of the samples
};

// Renders the proof of `occurrence` as it would fire at `now` with the responses
// known by then. Throws (InputError, plugin exceptions) like a firing would.
OUTREACH_EXPORT Letter compose_proof(const PlannedOccurrence& occurrence, Instant now,
                                     const std::vector<ResponseRecord>& responses, const ProofRequest& request);

// campaign/step/occurrence/proof/<first 16 hex digits of the content hash>: one
// scheduled proof per occurrence and content.
OUTREACH_EXPORT std::string scheduled_proof_key(const PlannedOccurrence& occurrence, const std::string& content_hash);

}  // namespace outreach
