#pragma once
// The parties a campaign can write to.
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outreach/calendar.hpp"
#include "outreach/version.hpp"

namespace outreach {

struct Addressee {
    std::string role;   // head_of_state | foreign_minister | permanent_representative
    std::string title;  // "Minister for Foreign Affairs of ..."
    std::string honorific;  // "His Excellency" / "Her Excellency" / "Excellency"
    std::string name;   // may be empty until an operator fills it in
    std::string email;
    // "fr" -> "Ministre des affaires étrangères de la France": the title in letters
    // of that language (roster keys title_fr, title_es); absent: the core writes
    // the role's title in that language followed by the State's name.
    std::map<std::string, std::string> titles_by_language = {};
};

enum class StateStatus { Member, Observer };

// A period of observer status at the United Nations (before admission, or for a
// non-member observer State). `until` is the first day it no longer applied.
struct ObserverPeriod {
    Date since;
    std::optional<Date> until;
    std::string kind;  // "non-member observer State", "observer entity", ...
};

// A name the State had before, up to (not including) `until`.
struct FormerName {
    Date until;
    std::string name;         // "Turkey"
    std::string formal_name;  // "Republic of Turkey"
    std::string in_text;      // as it reads after "of" in a title ("the former Yugoslav Republic of Macedonia")
    std::string note;         // source or caveat, for operators
};

struct State {
    std::string code;            // ISO 3166-1 alpha-3
    std::string name;            // common name, e.g. "Côte d'Ivoire"
    std::string formal_name;     // "Republic of Côte d'Ivoire"
    StateStatus status = StateStatus::Member;
    std::string regional_group;  // "African Group", ... ; empty for observers
    std::string capital;
    std::vector<Addressee> addressees;
    // The language letters to this State are written in (ISO 639-1, one of
    // supported_languages()); a campaign may override it (docs/config-format.md).
    std::string language = "en";
    // "fr" -> "France", "es" -> "Francia": the short name in letters of that
    // language (roster keys name_fr, name_es).
    std::map<std::string, std::string> names_by_language = {};

    OUTREACH_EXPORT const Addressee* addressee(const std::string& role) const;
    // The State's name in `language`, or `name` when the roster gives none.
    OUTREACH_EXPORT const std::string& name_in(const std::string& language) const;
    // History (optional; a roster without it treats the State as it is now on
    // every date). `admitted`: date of admission to UN membership.
    std::optional<Date> admitted = std::nullopt;
    std::vector<ObserverPeriod> observer_periods = {};  // in date order
    std::vector<FormerName> former_names = {};          // oldest first
    std::string in_text = {};  // the current name as it reads after "of" in titles; empty: `name`

    // What the State was on `date`: Member (admitted by then), Observer (in an
    // observer period) or nothing (nullopt: not yet a Member or observer). A
    // State without history is what `status` says on every date.
    OUTREACH_EXPORT std::optional<StateStatus> status_on(Date date) const;
    bool has_history() const { return admitted || !observer_periods.empty() || !former_names.empty(); }
};

// A roster, or a campaign's view of one: the States are stored once and shared
// by every view (a filter is a list of pointers into the shared storage, not a
// copy). Views stay valid as long as any Roster sharing the storage lives.
class OUTREACH_EXPORT Roster {
public:
    // Iterates the States of this view in roster order, as `const State&`.
    class Iterator {
    public:
        using value_type = State;
        using reference = const State&;
        using pointer = const State*;
        using difference_type = std::ptrdiff_t;
        using iterator_category = std::forward_iterator_tag;
        Iterator() = default;
        explicit Iterator(const State* const* at) : at_(at) {}
        reference operator*() const { return **at_; }
        pointer operator->() const { return *at_; }
        Iterator& operator++() { ++at_; return *this; }
        Iterator operator++(int) { Iterator old = *this; ++at_; return old; }
        friend bool operator==(const Iterator&, const Iterator&) = default;

    private:
        const State* const* at_ = nullptr;
    };
    struct Range {
        Iterator first, last;
        Iterator begin() const { return first; }
        Iterator end() const { return last; }
        std::size_t size() const { return static_cast<std::size_t>(std::distance(first, last)); }
        bool empty() const { return first == last; }
        const State& front() const { return *first; }
        const State& operator[](std::size_t i) const { return *std::next(first, static_cast<std::ptrdiff_t>(i)); }
    };

    Roster() = default;
    explicit Roster(std::vector<State> states);  // owns them: the full roster
    // A view of the States of this roster for which `keep` is true.
    template <typename Predicate>
    Roster filtered(Predicate keep) const {
        Roster view;
        view.storage_ = storage_;
        auto kept = std::make_shared<std::vector<const State*>>();
        for (const State* s : member_list())
            if (keep(*s)) kept->push_back(s);
        // Everything kept (most campaigns): share this roster's list, not a copy.
        if (kept->size() == member_list().size())
            view.members_ = members_;
        else
            view.members_ = std::move(kept);
        return view;
    }
    Range states() const {
        const auto& list = member_list();
        return {Iterator(list.data()), Iterator(list.data() + list.size())};
    }
    // Alpha-3 code (any case) or exact common/formal name, within this view;
    // nullptr when unknown. Codes are found in O(log n).
    const State* find(const std::string& code_or_name) const;
    bool contains(const State& state) const;
    std::size_t size() const { return member_list().size(); }
    // `state` (of this roster) under the name it had on `date`: the same State
    // with the former name, formal name and addressee titles, stored with the
    // roster (the pointer lives as long as the roster); `&state` itself when its
    // name has not changed since.
    const State* as_of(const State& state, Date date) const;

private:
    const std::vector<const State*>& member_list() const {
        static const std::vector<const State*> none;
        return members_ ? *members_ : none;
    }
    struct Storage;
    std::shared_ptr<const Storage> storage_;
    // In storage order (by address); shared between views that hold the same States.
    std::shared_ptr<const std::vector<const State*>> members_;
};

}  // namespace outreach
