#pragma once
// The durable record (SQLite, WAL): when each campaign was enrolled, what was
// decided for every step occurrence, one row per delivery keyed by its
// idempotency key, the responses States gave, and an audit trail.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delivery/letter.hpp"
#include "journal/journal_error.hpp"
#include "outreach/plugin.hpp"

namespace outreach {

namespace sqlite {
class Database;
}

enum class OccurrenceStatus { Fired, Skipped, Coalesced };
OUTREACH_EXPORT std::string to_string(OccurrenceStatus status);

struct OccurrenceRecord {
    std::string campaign, step, occurrence;
    Instant due;
    OccurrenceStatus status;
    std::string reason;
    Instant decided_at;
};

enum class DeliveryStatus { Delivered, TemporaryFailure, Failed };
OUTREACH_EXPORT std::string to_string(DeliveryStatus status);

struct DeliveryRecord {
    Letter letter;
    std::string channel;
    DeliveryStatus status = DeliveryStatus::Delivered;
    std::string message_id;
    std::string detail;
    int attempts = 0;
    std::optional<Instant> next_attempt;
    Instant updated_at;
};

// A campaign paused by an operator (`outreach pause`): nothing of it fires while
// the pause is active, i.e. until `resume` removes it or `until` passes.
struct PauseRecord {
    std::string campaign;
    Instant since;
    std::optional<Instant> until;
    std::string by;    // OS user who paused it
    std::string note;
    bool active_at(Instant now) const { return !until || now < *until; }
};

// An operator's decision on an occurrence that requires approval (`outreach
// approve` / `reject`). An approval holds only for the content it was given for
// (content_hash); a rejection cancels the occurrence whatever the content.
struct ApprovalRecord {
    enum class Decision { Approved, Rejected };
    std::string campaign, step, occurrence;
    Decision decision = Decision::Approved;
    std::string content_hash;
    std::string by;
    Instant at;
    std::string note;  // the approver's note, or the reason of a rejection
};

// A proof sent to staff: by the scheduler before a step requiring approval is due
// ("scheduled", one per occurrence and content), or on demand (`outreach proof`,
// "test"). Never a delivery of the step.
struct ProofRecord {
    std::string key;  // scheduled: campaign/step/occurrence/proof/<hash>; test: proof/campaign/step/<n>
    std::string campaign, step, occurrence;
    std::string kind;  // scheduled | test
    std::string content_hash;
    std::string to_email;
    std::string by;
    Instant sent_at;
};

// One entry of the audit trail.
struct AuditRecord {
    Instant at;
    std::string campaign, event, detail, actor;
};

struct ResponseRecord {
    std::int64_t id = 0;
    std::string campaign;
    Response response;
    std::string note;
    Instant recorded_at;
};

class OUTREACH_EXPORT Journal {
public:
    // 2: pauses, approvals, proofs, audit.actor; 3: deliveries.language and
    // .attachments, enclosures (older journals are migrated on open).
    static constexpr int kSchemaVersion = 3;
    // Creates the file and schema if needed; throws std::runtime_error naming the
    // file when it is not a database, is corrupt or has another schema version.
    explicit Journal(const std::filesystem::path& file);
    ~Journal();
    const std::filesystem::path& file() const;

    // Batch many writes into one transaction (durable at commit()).
    class Batch {
    public:
        explicit Batch(Journal& journal);
        ~Batch();
        void commit();

    private:
        struct Impl;
        std::unique_ptr<Impl> impl_;
    };

    // The instant the scheduler first saw the campaign; set once.
    Instant enrol(const std::string& campaign, Instant now);
    std::optional<Instant> enrolled_at(const std::string& campaign);
    // Every campaign's enrolment (one query, for the planner).
    std::vector<std::pair<std::string, Instant>> enrolments();

    std::optional<OccurrenceRecord> occurrence(const std::string& campaign, const std::string& step,
                                               const std::string& occurrence);
    void decide(const OccurrenceRecord& record);
    std::vector<OccurrenceRecord> occurrences(const std::string& campaign);
    // Every decision of every campaign (one query, for the planner); reasons omitted.
    struct Decision {
        std::string campaign, step, occurrence;
        OccurrenceStatus status;
    };
    std::vector<Decision> decisions();

    std::optional<DeliveryRecord> delivery(const std::string& key);
    // Keys of the deliveries recorded for one occurrence (one query per firing).
    std::vector<std::string> delivery_keys(const std::string& campaign, const std::string& step,
                                           const std::string& occurrence);
    void record_delivery(const DeliveryRecord& record);  // insert or update by key
    std::vector<DeliveryRecord> deliveries(const std::string& campaign);  // in scheduled order
    std::vector<DeliveryRecord> pending_retries(Instant now);
    std::optional<Instant> next_retry();

    std::int64_t add_response(const std::string& campaign, const Response& response, const std::string& note,
                              Instant recorded_at);
    std::vector<ResponseRecord> responses(const std::string& campaign);
    // Responses of every campaign with an id above `after_id`, in id order (the
    // planner's incremental refresh; 0 = all).
    std::vector<ResponseRecord> responses_since(std::int64_t after_id);
    std::int64_t last_response_id();

    // `actor`: the OS user of an operator's action; empty for the scheduler's own entries.
    void audit(Instant at, const std::string& campaign, const std::string& event, const std::string& detail,
               const std::string& actor = {});
    std::vector<AuditRecord> audit_trail(const std::string& campaign);

    // Pauses (one per campaign at most; `pause` replaces an earlier one).
    void pause(const PauseRecord& record);
    bool resume(const std::string& campaign);  // false when it was not paused
    std::optional<PauseRecord> pause_of(const std::string& campaign);
    std::vector<PauseRecord> pauses();  // every campaign's (one query, for the scheduler)

    // Approvals: the latest decision per occurrence.
    void record_approval(const ApprovalRecord& record);
    std::vector<ApprovalRecord> approvals();  // every campaign's (one query, for the scheduler)
    std::vector<ApprovalRecord> approvals(const std::string& campaign);

    void record_proof(const ProofRecord& record);
    std::optional<ProofRecord> proof(const std::string& key);
    // In the order they were sent.
    std::vector<ProofRecord> proofs(const std::string& campaign);
    std::int64_t count_test_proofs(const std::string& campaign);

private:
    std::unique_ptr<sqlite::Database> db_;
};

}  // namespace outreach
