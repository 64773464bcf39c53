"""Communities that links feed: kinds, roles, admission, conduct rules, content, referrals.

Example:
    >>> from datetime import UTC, datetime
    >>> import suo
    >>> from suo.community import Community, Member, Moderator, RuleBook
    >>> mod = Moderator(suo.open_store("memory://"), RuleBook.default())
    >>> verdict = mod.check(Community(name="福利群", kind="welfare"), Member(id="u1"),
    ...                     "加我微信 abc123 领优惠", at=datetime(2026, 11, 25, tzinfo=UTC))
    >>> verdict.action.value, verdict.reasons[0]
    ('warn', "no-solicitation -> solicitation '加我微信', '领优惠'")
"""

from __future__ import annotations

from suo.community.matcher import KeywordMatcher
from suo.community.model import (
    KIND_LABELS,
    ROLE_LABELS,
    ROLE_PERMISSIONS,
    AuditEntry,
    Community,
    CommunityKind,
    Member,
    MemberStatus,
    Permission,
    Role,
    can,
)
from suo.community.moderation import DryRunReport, Hit, Message, Moderator, Verdict
from suo.community.rules import (
    Action,
    Flood,
    Keywords,
    Ladder,
    Mentions,
    OutsideLinks,
    Pattern,
    Repeats,
    Rule,
    RuleBook,
    Scope,
    Step,
)
from suo.community.store import CommunityStore

__all__ = [
    "KIND_LABELS",
    "ROLE_LABELS",
    "ROLE_PERMISSIONS",
    "Action",
    "AuditEntry",
    "Community",
    "CommunityKind",
    "CommunityStore",
    "DryRunReport",
    "Flood",
    "Hit",
    "KeywordMatcher",
    "Keywords",
    "Ladder",
    "Member",
    "MemberStatus",
    "Mentions",
    "Message",
    "Moderator",
    "OutsideLinks",
    "Pattern",
    "Permission",
    "Repeats",
    "Role",
    "Rule",
    "RuleBook",
    "Scope",
    "Step",
    "Verdict",
    "can",
]
