#pragma once
// The parties a campaign can write to.
#include <string>
#include <vector>

#include "outreach/version.hpp"

namespace outreach {

struct Addressee {
    std::string role;   // head_of_state | foreign_minister | permanent_representative
    std::string title;  // "Minister for Foreign Affairs of ..."
    std::string honorific;  // "His Excellency" / "Her Excellency" / "Excellency"
    std::string name;   // may be empty until an operator fills it in
    std::string email;
};

enum class StateStatus { Member, Observer };

struct State {
    std::string code;            // ISO 3166-1 alpha-3
    std::string name;            // common name, e.g. "Côte d'Ivoire"
    std::string formal_name;     // "Republic of Côte d'Ivoire"
    StateStatus status = StateStatus::Member;
    std::string regional_group;  // "African Group", ... ; empty for observers
    std::string capital;
    std::vector<Addressee> addressees;

    OUTREACH_EXPORT const Addressee* addressee(const std::string& role) const;
};

class OUTREACH_EXPORT Roster {
public:
    Roster() = default;
    explicit Roster(std::vector<State> states) : states_(std::move(states)) {}
    const std::vector<State>& states() const { return states_; }
    // Alpha-3 code (any case) or exact common/formal name; nullptr when unknown.
    const State* find(const std::string& code_or_name) const;
    std::size_t size() const { return states_.size(); }

private:
    std::vector<State> states_;
};

}  // namespace outreach
