"""SOP calendars: plans of timed to-dos, expanded into a calendar people can trust.

An SOP ("standard operating procedure") step is a timed to-do for a role —
"Friday 20:00: the operator posts the flash sale with its countdown poster".
A :class:`Plan` is a list of :class:`Step` s; :meth:`Plan.occurrences` turns
it into time-zone-aware :class:`Occurrence` s with stable ids,
:class:`DueQueue` answers "what is due now" and records who did what,
:func:`check` reports clashes, quiet-hour posts and message caps before
anything is scheduled, and :meth:`Plan.to_ical` exports a calendar.

Examples:
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from suo.sop import templates
    >>> sh = ZoneInfo("Asia/Shanghai")
    >>> week = templates.welfare_weekly().occurrences(
    ...     datetime(2026, 11, 30, tzinfo=sh), datetime(2026, 12, 7, tzinfo=sh))
    >>> sorted({o.at.strftime("%a") for o in week})
    ['Fri', 'Mon', 'Sun', 'Wed']
"""

from __future__ import annotations

from suo.sop import templates
from suo.sop.checks import (
    WECOM_CUSTOMER_DAILY,
    WECOM_CUSTOMER_MONTHLY,
    Limits,
    MessageCap,
    Problem,
    check,
)
from suo.sop.engine import Due, DueQueue
from suo.sop.grid import CalendarView
from suo.sop.model import Occurrence, Override, Step, Where, holidays, occurrence_id
from suo.sop.plan import Plan
from suo.sop.rrule import RRule
from suo.sop.store import RunState, SopStore
from suo.sop.triggers import (
    AfterJoin,
    Campaign,
    CampaignOffset,
    MemberJoin,
    Once,
    Recurrence,
    Trigger,
    Weekly,
)

__all__ = [
    "WECOM_CUSTOMER_DAILY",
    "WECOM_CUSTOMER_MONTHLY",
    "AfterJoin",
    "CalendarView",
    "Campaign",
    "CampaignOffset",
    "Due",
    "DueQueue",
    "Limits",
    "MemberJoin",
    "MessageCap",
    "Occurrence",
    "Once",
    "Override",
    "Plan",
    "Problem",
    "RRule",
    "Recurrence",
    "RunState",
    "SopStore",
    "Step",
    "Trigger",
    "Weekly",
    "Where",
    "check",
    "holidays",
    "occurrence_id",
    "templates",
]

from suo._exports import publish

publish(globals(), __all__)
