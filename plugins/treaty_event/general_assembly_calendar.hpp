#pragma once
// The General Assembly's date rules, used to place the annual treaty event when an
// operator gives no explicit dates. Actual dates sometimes deviate (summits), so
// callers must let explicit dates win.
#include "outreach/calendar.hpp"

namespace outreach::treaty_event {

// First year the rule below describes: the 58th session (rule 1 as amended by
// resolution 57/301). Earlier sessions followed other rules.
inline constexpr int kFirstRuleYear = 2003;
// From the 78th session (resolution 75/325) the session opens one week earlier.
inline constexpr int kSecondWeekRuleYear = 2023;

// Opening of the regular session held in `year`: the Tuesday of the third week of
// September (from 2023: the second week), counting from the first Monday-to-Sunday
// week that contains at least one working day of September.
// Throws std::out_of_range for years before kFirstRuleYear.
Date regular_session_opening(int year);

// Opening of the general debate: the Tuesday after the session opens
// (from 2023: two weeks after). Throws like regular_session_opening.
Date general_debate_opening(int year);

// Number of the regular session held in `year` (2007 -> 62); the first met in 1946.
int session_number(int year);

}  // namespace outreach::treaty_event
