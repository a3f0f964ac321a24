#pragma once
// The incremental plan behind the scheduler. Built once per configuration load:
// every campaign's occurrences are expanded once, the journal's enrolments,
// decisions and responses are read in one query each, and the undecided
// occurrences go into one ordered index, so the next due instant is its first
// entry. New responses (recorded by `respond`, a script or another process) are
// picked up by refresh() with one query and add their on_response occurrences.
// Nothing here sends or writes: the Scheduler decides, the Planner remembers.
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "journal/journal.hpp"
#include "runtime.hpp"
#include "schedule/occurrences.hpp"

namespace outreach {

class OUTREACH_EXPORT Planner {
public:
    // Campaigns whose expansion throws are reported on their logger and left out.
    Planner(const Runtime& runtime, Journal& journal);

    // Reads responses recorded since the last call (one query) and plans the
    // occurrences they trigger. Returns the number of new responses.
    std::size_t refresh();
    // Enrols, at `now`, the campaigns the journal has not seen yet (their
    // occurrences due before `now` are never sent) — one transaction for all.
    void enrol_new_campaigns(Instant now);

    // The earliest undecided occurrence, O(1); nullptr when none.
    const PlannedOccurrence* next() const;
    // When the first entry of the index is to be taken (its due instant, or
    // earlier for a proof, or when an awaited occurrence is judged again).
    std::optional<Instant> next_instant() const;
    // Removes from the index and returns every undecided occurrence due by `now`,
    // in due order (then campaign, then step order).
    std::vector<const PlannedOccurrence*> take_due(Instant now);
    // Back into the index (decided in a later pass), at its index instant.
    void put_back(const PlannedOccurrence* occurrence);
    // Into the index at `at` instead (moved there if it is indexed already).
    void put_back_at(const PlannedOccurrence* occurrence, Instant at);
    // When an occurrence is taken from the index: its due instant, or for a step
    // that requires approval, its approval lead earlier (the proof goes out then).
    static Instant index_instant(const PlannedOccurrence& occurrence);

    void record_decision(const PlannedOccurrence& occurrence, OccurrenceStatus status);
    std::optional<OccurrenceStatus> decision(const Campaign& campaign, const std::string& step,
                                             const std::string& occurrence) const;
    // The occurrence planned for `step`/`occurrence` of `campaign`, if any.
    const PlannedOccurrence* find(const Campaign& campaign, const std::string& step,
                                  const std::string& occurrence) const;

    std::optional<Instant> enrolled_at(const Campaign& campaign) const;
    const std::vector<ResponseRecord>& responses(const Campaign& campaign) const;
    std::size_t pending() const { return index_.size(); }
    std::size_t planned() const;

private:
    struct CampaignPlan {
        const Campaign* campaign = nullptr;
        std::uint32_t number = 0;            // position in the runtime: tie-break in the index
        bool usable = true;                  // expansion succeeded
        std::optional<Instant> enrolled;
        std::deque<PlannedOccurrence> occurrences;  // stable addresses
        std::unordered_map<std::string, const PlannedOccurrence*> by_key;   // step '\n' occurrence
        std::unordered_map<std::string, OccurrenceStatus> decisions;        // same key
        std::vector<ResponseRecord> responses;                              // in (at, id) order
        std::unordered_map<const Step*, std::uint32_t> step_order;
    };
    struct Entry {
        Instant due;
        std::uint32_t campaign;
        std::uint32_t step;
        std::uint64_t sequence;
        const PlannedOccurrence* occurrence;
        friend bool operator<(const Entry& a, const Entry& b) {
            if (a.due != b.due) return a.due < b.due;
            if (a.campaign != b.campaign) return a.campaign < b.campaign;
            if (a.step != b.step) return a.step < b.step;
            return a.sequence < b.sequence;
        }
    };

    static std::string key(const std::string& step, const std::string& occurrence) { return step + '\n' + occurrence; }
    CampaignPlan* plan_of(const std::string& campaign_id);
    const CampaignPlan& plan_of(const Campaign& campaign) const;
    void add(CampaignPlan& plan, PlannedOccurrence occurrence);
    void index(CampaignPlan& plan, const PlannedOccurrence& occurrence, Instant at);
    void add_response(CampaignPlan& plan, ResponseRecord response);

    Journal& journal_;
    std::vector<CampaignPlan> plans_;
    std::unordered_map<std::string, std::size_t> by_id_;
    std::unordered_map<const PlannedOccurrence*, std::set<Entry>::iterator> entry_of_;
    std::set<Entry> index_;
    std::uint64_t sequence_ = 0;
    std::int64_t last_response_id_ = 0;
};

}  // namespace outreach
