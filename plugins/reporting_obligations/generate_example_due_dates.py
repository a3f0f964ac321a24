#!/usr/bin/env python3
"""Writes the due-dates file of the example reporting_obligations campaign.

    python3 plugins/reporting_obligations/generate_example_due_dates.py \
        config/rosters/un-states.toml > config/campaigns/reporting-obligations-due-dates.csv

One row per State of the roster (195), in roster order, with a due date between
1 April 2009 and 31 December 2010. The dates are INVENTED, not any treaty's: a
fixed permutation of the States (position * 97 mod n) spreads them evenly over
the span, so the file is the same every time and neighbours in the alphabet do
not share a month.
"""
import datetime
import re
import sys

FIRST = datetime.date(2009, 4, 1)
LAST = datetime.date(2010, 12, 31)
STRIDE = 97  # coprime with 195: every State gets its own slot


def main() -> None:
    roster = sys.argv[1] if len(sys.argv) > 1 else "config/rosters/un-states.toml"
    with open(roster, encoding="utf-8") as f:
        codes = re.findall(r'^code\s*=\s*"([A-Z]{3})"', f.read(), flags=re.MULTILINE)
    n = len(codes)
    span = (LAST - FIRST).days
    print("state,due_date")
    for i, code in enumerate(codes):
        slot = (i * STRIDE) % n
        print(f"{code},{FIRST + datetime.timedelta(days=slot * span // (n - 1))}")


if __name__ == "__main__":
    main()
