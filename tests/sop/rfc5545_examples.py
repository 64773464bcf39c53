"""The recurrence examples of RFC 5545 section 3.8.5.3, as test data.

Each entry: (title, DTSTART wall time in America/New_York, RRULE, EXDATEs,
expected wall times, whole). ``whole`` is True when the RFC lists the full
set (COUNT/UNTIL), False for "forever" rules, where the listing is a prefix.
Expected values are transcribed from the RFC's "==>" listings; every one is
09:00 local unless the example says otherwise.

One listing disagrees with its own rule: "Every 3 hours from 9:00 AM to
5:00 PM" has UNTIL=19970902T170000Z (13:00 EDT) yet lists 15:00 too. The
expected value here is the strict reading (09:00, 12:00), as the issue allows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def d(y: int, m: int, days: Iterable[int], hh: int = 9, mm: int = 0) -> list[datetime]:
    return [datetime(y, m, day, hh, mm) for day in days]


def r(a: int, b: int) -> range:
    return range(a, b + 1)


def _every_day_jan_3y() -> list[datetime]:
    return d(1998, 1, r(1, 31)) + d(1999, 1, r(1, 31)) + d(2000, 1, r(1, 31))


def _daily_until_dec24() -> list[datetime]:
    return (
        d(1997, 9, r(2, 30)) + d(1997, 10, r(1, 31)) + d(1997, 11, r(1, 30)) + d(1997, 12, r(1, 23))
    )


def _every_20_min() -> list[datetime]:
    out = []
    for day in (2, 3):
        for h in range(9, 17):
            for m in (0, 20, 40):
                out.append(datetime(1997, 9, day, h, m))
    return out


EXAMPLES: list[tuple[str, datetime, str, list[datetime], list[datetime], bool]] = [
    ("Daily for 10 occurrences", datetime(1997, 9, 2, 9), "FREQ=DAILY;COUNT=10", [],
     d(1997, 9, r(2, 11)), True),
    ("Daily until December 24, 1997", datetime(1997, 9, 2, 9), "FREQ=DAILY;UNTIL=19971224T000000Z", [],
     _daily_until_dec24(), True),
    ("Every other day - forever", datetime(1997, 9, 2, 9), "FREQ=DAILY;INTERVAL=2", [],
     d(1997, 9, range(2, 31, 2)) + d(1997, 10, range(2, 31, 2)) + d(1997, 11, range(1, 30, 2))
     + d(1997, 12, [1, 3]), False),
    ("Every 10 days, 5 occurrences", datetime(1997, 9, 2, 9), "FREQ=DAILY;INTERVAL=10;COUNT=5", [],
     d(1997, 9, [2, 12, 22]) + d(1997, 10, [2, 12]), True),
    ("Every day in January, for 3 years (yearly)", datetime(1998, 1, 1, 9),
     "FREQ=YEARLY;UNTIL=20000131T140000Z;\r\n BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA", [],
     _every_day_jan_3y(), True),
    ("Every day in January, for 3 years (daily)", datetime(1998, 1, 1, 9),
     "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1", [], _every_day_jan_3y(), True),
    ("Weekly for 10 occurrences", datetime(1997, 9, 2, 9), "FREQ=WEEKLY;COUNT=10", [],
     d(1997, 9, [2, 9, 16, 23, 30]) + d(1997, 10, [7, 14, 21, 28]) + d(1997, 11, [4]), True),
    ("Weekly until December 24, 1997", datetime(1997, 9, 2, 9), "FREQ=WEEKLY;UNTIL=19971224T000000Z", [],
     d(1997, 9, [2, 9, 16, 23, 30]) + d(1997, 10, [7, 14, 21, 28]) + d(1997, 11, [4, 11, 18, 25])
     + d(1997, 12, [2, 9, 16, 23]), True),
    ("Every other week - forever", datetime(1997, 9, 2, 9), "FREQ=WEEKLY;INTERVAL=2;WKST=SU", [],
     d(1997, 9, [2, 16, 30]) + d(1997, 10, [14, 28]) + d(1997, 11, [11, 25]) + d(1997, 12, [9, 23])
     + d(1998, 1, [6, 20]) + d(1998, 2, [3, 17]), False),
    ("Weekly on Tuesday and Thursday for five weeks (until)", datetime(1997, 9, 2, 9),
     "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH", [],
     d(1997, 9, [2, 4, 9, 11, 16, 18, 23, 25, 30]) + d(1997, 10, [2]), True),
    ("Weekly on Tuesday and Thursday for five weeks (count)", datetime(1997, 9, 2, 9),
     "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH", [],
     d(1997, 9, [2, 4, 9, 11, 16, 18, 23, 25, 30]) + d(1997, 10, [2]), True),
    ("Every other week on Monday, Wednesday, and Friday until December 24, 1997",
     datetime(1997, 9, 1, 9), "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;\r\n BYDAY=MO,WE,FR", [],
     d(1997, 9, [1, 3, 5, 15, 17, 19, 29]) + d(1997, 10, [1, 3, 13, 15, 17, 27, 29, 31])
     + d(1997, 11, [10, 12, 14, 24, 26, 28]) + d(1997, 12, [8, 10, 12, 22]), True),
    ("Every other week on Tuesday and Thursday, for 8 occurrences", datetime(1997, 9, 2, 9),
     "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH", [],
     d(1997, 9, [2, 4, 16, 18, 30]) + d(1997, 10, [2, 14, 16]), True),
    ("Monthly on the first Friday for 10 occurrences", datetime(1997, 9, 5, 9),
     "FREQ=MONTHLY;COUNT=10;BYDAY=1FR", [],
     d(1997, 9, [5]) + d(1997, 10, [3]) + d(1997, 11, [7]) + d(1997, 12, [5]) + d(1998, 1, [2])
     + d(1998, 2, [6]) + d(1998, 3, [6]) + d(1998, 4, [3]) + d(1998, 5, [1]) + d(1998, 6, [5]), True),
    ("Monthly on the first Friday until December 24, 1997", datetime(1997, 9, 5, 9),
     "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR", [],
     d(1997, 9, [5]) + d(1997, 10, [3]) + d(1997, 11, [7]) + d(1997, 12, [5]), True),
    ("Every other month on the first and last Sunday of the month for 10 occurrences",
     datetime(1997, 9, 7, 9), "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", [],
     d(1997, 9, [7, 28]) + d(1997, 11, [2, 30]) + d(1998, 1, [4, 25]) + d(1998, 3, [1, 29])
     + d(1998, 5, [3, 31]), True),
    ("Monthly on the second-to-last Monday of the month for 6 months", datetime(1997, 9, 22, 9),
     "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", [],
     d(1997, 9, [22]) + d(1997, 10, [20]) + d(1997, 11, [17]) + d(1997, 12, [22]) + d(1998, 1, [19])
     + d(1998, 2, [16]), True),
    ("Monthly on the third-to-the-last day of the month, forever", datetime(1997, 9, 28, 9),
     "FREQ=MONTHLY;BYMONTHDAY=-3", [],
     d(1997, 9, [28]) + d(1997, 10, [29]) + d(1997, 11, [28]) + d(1997, 12, [29]) + d(1998, 1, [29])
     + d(1998, 2, [26]), False),
    ("Monthly on the 2nd and 15th of the month for 10 occurrences", datetime(1997, 9, 2, 9),
     "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15", [],
     d(1997, 9, [2, 15]) + d(1997, 10, [2, 15]) + d(1997, 11, [2, 15]) + d(1997, 12, [2, 15])
     + d(1998, 1, [2, 15]), True),
    ("Monthly on the first and last day of the month for 10 occurrences", datetime(1997, 9, 30, 9),
     "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", [],
     d(1997, 9, [30]) + d(1997, 10, [1, 31]) + d(1997, 11, [1, 30]) + d(1997, 12, [1, 31])
     + d(1998, 1, [1, 31]) + d(1998, 2, [1]), True),
    ("Every 18 months on the 10th thru 15th of the month for 10 occurrences", datetime(1997, 9, 10, 9),
     "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,\r\n 13,14,15", [],
     d(1997, 9, r(10, 15)) + d(1999, 3, r(10, 13)), True),
    ("Every Tuesday, every other month", datetime(1997, 9, 2, 9), "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", [],
     d(1997, 9, [2, 9, 16, 23, 30]) + d(1997, 11, [4, 11, 18, 25]) + d(1998, 1, [6, 13, 20, 27])
     + d(1998, 3, [3, 10, 17, 24, 31]), False),
    ("Yearly in June and July for 10 occurrences", datetime(1997, 6, 10, 9),
     "FREQ=YEARLY;COUNT=10;BYMONTH=6,7", [],
     [x for y in range(1997, 2002) for x in (datetime(y, 6, 10, 9), datetime(y, 7, 10, 9))], True),
    ("Every other year on January, February, and March for 10 occurrences", datetime(1997, 3, 10, 9),
     "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3", [],
     [datetime(1997, 3, 10, 9)]
     + [datetime(y, m, 10, 9) for y in (1999, 2001, 2003) for m in (1, 2, 3)], True),
    ("Every third year on the 1st, 100th, and 200th day for 10 occurrences", datetime(1997, 1, 1, 9),
     "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200", [],
     d(1997, 1, [1]) + d(1997, 4, [10]) + d(1997, 7, [19]) + d(2000, 1, [1]) + d(2000, 4, [9])
     + d(2000, 7, [18]) + d(2003, 1, [1]) + d(2003, 4, [10]) + d(2003, 7, [19]) + d(2006, 1, [1]), True),
    ("Every 20th Monday of the year, forever", datetime(1997, 5, 19, 9), "FREQ=YEARLY;BYDAY=20MO", [],
     d(1997, 5, [19]) + d(1998, 5, [18]) + d(1999, 5, [17]), False),
    ("Monday of week number 20, forever", datetime(1997, 5, 12, 9), "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", [],
     d(1997, 5, [12]) + d(1998, 5, [11]) + d(1999, 5, [17]), False),
    ("Every Thursday in March, forever", datetime(1997, 3, 13, 9), "FREQ=YEARLY;BYMONTH=3;BYDAY=TH", [],
     d(1997, 3, [13, 20, 27]) + d(1998, 3, [5, 12, 19, 26]) + d(1999, 3, [4, 11, 18, 25]), False),
    ("Every Thursday, but only during June, July, and August, forever", datetime(1997, 6, 5, 9),
     "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8", [],
     d(1997, 6, [5, 12, 19, 26]) + d(1997, 7, [3, 10, 17, 24, 31]) + d(1997, 8, [7, 14, 21, 28])
     + d(1998, 6, [4, 11, 18, 25]) + d(1998, 7, [2, 9, 16, 23, 30]) + d(1998, 8, [6, 13, 20, 27])
     + d(1999, 6, [3, 10, 17, 24]) + d(1999, 7, [1, 8, 15, 22, 29]) + d(1999, 8, [5, 12, 19, 26]), False),
    ("Every Friday the 13th, forever", datetime(1997, 9, 2, 9), "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
     [datetime(1997, 9, 2, 9)],
     d(1998, 2, [13]) + d(1998, 3, [13]) + d(1998, 11, [13]) + d(1999, 8, [13]) + d(2000, 10, [13]), False),
    ("The first Saturday that follows the first Sunday of the month, forever", datetime(1997, 9, 13, 9),
     "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", [],
     d(1997, 9, [13]) + d(1997, 10, [11]) + d(1997, 11, [8]) + d(1997, 12, [13]) + d(1998, 1, [10])
     + d(1998, 2, [7]) + d(1998, 3, [7]) + d(1998, 4, [11]) + d(1998, 5, [9]) + d(1998, 6, [13]), False),
    ("Every 4 years, the first Tuesday after a Monday in November, forever", datetime(1996, 11, 5, 9),
     "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;\r\n BYMONTHDAY=2,3,4,5,6,7,8", [],
     d(1996, 11, [5]) + d(2000, 11, [7]) + d(2004, 11, [2]), False),
    ("The third instance into the month of one of Tuesday, Wednesday, or Thursday, for the next 3 months",
     datetime(1997, 9, 4, 9), "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", [],
     d(1997, 9, [4]) + d(1997, 10, [7]) + d(1997, 11, [6]), True),
    ("The second-to-last weekday of the month", datetime(1997, 9, 29, 9),
     "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", [],
     d(1997, 9, [29]) + d(1997, 10, [30]) + d(1997, 11, [27]) + d(1997, 12, [30]) + d(1998, 1, [29])
     + d(1998, 2, [26]) + d(1998, 3, [30]), False),
    ("Every 3 hours from 9:00 AM to 5:00 PM on a specific day (strict UNTIL)", datetime(1997, 9, 2, 9),
     "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z", [],
     [datetime(1997, 9, 2, 9), datetime(1997, 9, 2, 12)], True),
    ("Every 15 minutes for 6 occurrences", datetime(1997, 9, 2, 9), "FREQ=MINUTELY;INTERVAL=15;COUNT=6", [],
     [datetime(1997, 9, 2, h, m) for h, m in ((9, 0), (9, 15), (9, 30), (9, 45), (10, 0), (10, 15))], True),
    ("Every hour and a half for 4 occurrences", datetime(1997, 9, 2, 9), "FREQ=MINUTELY;INTERVAL=90;COUNT=4", [],
     [datetime(1997, 9, 2, h, m) for h, m in ((9, 0), (10, 30), (12, 0), (13, 30))], True),
    ("Every 20 minutes from 9:00 AM to 4:40 PM every day (daily)", datetime(1997, 9, 2, 9),
     "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40", [], _every_20_min(), False),
    ("Every 20 minutes from 9:00 AM to 4:40 PM every day (minutely)", datetime(1997, 9, 2, 9),
     "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16", [], _every_20_min(), False),
    ("WKST=MO", datetime(1997, 8, 5, 9), "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", [],
     d(1997, 8, [5, 10, 19, 24]), True),
    ("WKST=SU", datetime(1997, 8, 5, 9), "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", [],
     d(1997, 8, [5, 17, 19, 31]), True),
    ("An invalid date (February 30) is ignored", datetime(2007, 1, 15, 9),
     "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", [],
     d(2007, 1, [15, 30]) + d(2007, 2, [15]) + d(2007, 3, [15, 30]), True),
]  # fmt: skip
