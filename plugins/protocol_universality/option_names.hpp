#pragma once
// The campaign type's option names, spelled once: the declaration table, the
// workflow builder and the State-list loader share them.
namespace outreach::protocol_universality::opt {

constexpr const char* instrument = "instrument";
constexpr const char* instrument_short = "instrument_short";
constexpr const char* adopted = "adopted";
constexpr const char* letter_date = "letter_date";
constexpr const char* bound_states_file = "bound_states_file";
constexpr const char* priority_group_file = "priority_group_file";
constexpr const char* follow_up_rrule = "follow_up_rrule";
constexpr const char* campaign_end = "campaign_end";
constexpr const char* conference_dates = "conference_dates";
constexpr const char* conference_report_offset = "conference_report_offset";
constexpr const char* signatory = "signatory";
constexpr const char* signatory_title = "signatory_title";
constexpr const char* send_time = "send_time";

}  // namespace outreach::protocol_universality::opt
