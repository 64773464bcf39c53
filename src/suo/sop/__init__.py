"""SOP calendars (placeholder while being built)."""

from suo.sop.rrule import RRule

__all__ = ["RRule"]
