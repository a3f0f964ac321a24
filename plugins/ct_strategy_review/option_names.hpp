#pragma once
// The campaign type's option names, spelled once: the declaration table and the
// workflow builder share them.
namespace outreach::ct_strategy_review::opt {

constexpr const char* meeting_title = "meeting_title";
constexpr const char* letter_date = "letter_date";
constexpr const char* meeting_date = "meeting_date";
constexpr const char* programme_lead_days = "programme_lead_days";
constexpr const char* speakers_deadline = "speakers_deadline";
constexpr const char* speakers_reminder_offset = "speakers_reminder_offset";
constexpr const char* formal_review_date = "formal_review_date";
constexpr const char* formal_review_end = "formal_review_end";
constexpr const char* formal_review_invitation_offset = "formal_review_invitation_offset";
constexpr const char* signatory = "signatory";
constexpr const char* signatory_title = "signatory_title";
constexpr const char* strategy_adopted = "strategy_adopted";
constexpr const char* send_time = "send_time";

}  // namespace outreach::ct_strategy_review::opt
