#include "outreach/roster.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace outreach {

struct Roster::Storage {
    std::vector<State> states;
    std::map<std::string, const State*, std::less<>> by_code;
};

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
    for (const auto& s : storage->states) {
        storage->by_code.emplace(s.code, &s);
        members_.push_back(&s);
    }
    storage_ = std::move(storage);
}

bool Roster::contains(const State& state) const {
    // members_ is in storage order, i.e. sorted by address.
    return std::binary_search(members_.begin(), members_.end(), &state);
}

const State* Roster::find(const std::string& code_or_name) const {
    if (!storage_) return nullptr;
    std::string upper = code_or_name;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    if (auto it = storage_->by_code.find(upper); it != storage_->by_code.end())
        return contains(*it->second) ? it->second : nullptr;
    for (const State* s : members_)
        if (s->name == code_or_name || s->formal_name == code_or_name) return s;
    return nullptr;
}

}  // namespace outreach
