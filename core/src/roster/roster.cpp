#include "outreach/roster.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace outreach {

struct Roster::Storage {
    std::vector<State> states;
    std::map<std::string, const State*, std::less<>> by_code;
    // Each State with former names: one copy per former name, oldest first,
    // carrying that name (see State::former_names).
    std::map<const State*, std::vector<State>> former;
};

namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    if (from.empty()) return;
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

// `state` as it was named before `former.until`. Titles name the State ("Minister
// for Foreign Affairs of Türkiye"): its current form is replaced by the former one.
State named_as(const State& state, const FormerName& former) {
    State then = state;
    then.name = former.name;
    then.formal_name = former.formal_name.empty() ? former.name : former.formal_name;
    then.in_text = former.in_text.empty() ? former.name : former.in_text;
    then.former_names.clear();
    const std::string now = state.in_text.empty() ? state.name : state.in_text;
    for (auto& addressee : then.addressees) {
        if (addressee.title.find(now) != std::string::npos)
            replace_all(addressee.title, now, then.in_text);
        else
            replace_all(addressee.title, state.name, then.name);
    }
    return then;
}

}  // namespace

const Addressee* State::addressee(const std::string& role) const {
    for (const auto& a : addressees)
        if (a.role == role) return &a;
    return nullptr;
}

const std::string& State::name_in(const std::string& language) const {
    const auto it = names_by_language.find(language);
    return it == names_by_language.end() || it->second.empty() ? name : it->second;
}

Roster::Roster(std::vector<State> states) {
    auto storage = std::make_shared<Storage>();
    storage->states = std::move(states);
    auto members = std::make_shared<std::vector<const State*>>();
    members->reserve(storage->states.size());
    members_ = members;
    for (const auto& s : storage->states) {
        storage->by_code.emplace(s.code, &s);
        members->push_back(&s);
        for (const auto& former : s.former_names) storage->former[&s].push_back(named_as(s, former));
    }
    storage_ = std::move(storage);
}

std::optional<StateStatus> State::status_on(Date date) const {
    if (!admitted && observer_periods.empty()) return status;
    if (admitted && date >= *admitted) return StateStatus::Member;
    for (const auto& period : observer_periods)
        if (date >= period.since && (!period.until || date < *period.until)) return StateStatus::Observer;
    return std::nullopt;
}

const State* Roster::as_of(const State& state, Date date) const {
    if (!storage_ || state.former_names.empty()) return &state;
    const auto it = storage_->former.find(&state);
    if (it == storage_->former.end()) return &state;
    for (std::size_t i = 0; i < state.former_names.size(); ++i)
        if (date < state.former_names[i].until) return &it->second[i];
    return &state;
}

bool Roster::contains(const State& state) const {
    // members_ is in storage order, i.e. sorted by address.
    return std::binary_search(member_list().begin(), member_list().end(), &state);
}

const State* Roster::find(const std::string& code_or_name) const {
    if (!storage_) return nullptr;
    std::string upper = code_or_name;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    if (auto it = storage_->by_code.find(upper); it != storage_->by_code.end())
        return contains(*it->second) ? it->second : nullptr;
    for (const State* s : member_list())
        if (s->name == code_or_name || s->formal_name == code_or_name) return s;
    return nullptr;
}

}  // namespace outreach
