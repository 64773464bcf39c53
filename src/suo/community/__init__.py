"""Communities that links feed: kinds, roles, admission, conduct rules, content, referrals.

Example:
    >>> from datetime import UTC, datetime
    >>> import suo
    >>> from suo.community import Community, Member, Moderator, RuleBook
    >>> mod = Moderator(suo.open_store("memory://"), RuleBook.default())
    >>> verdict = mod.check(Community(name="福利群", kind="welfare"), Member(id="u1"),
    ...                     "加我微信 abc123 领优惠", at=datetime(2026, 11, 25, tzinfo=UTC))
    >>> verdict.action.value, verdict.reasons[0]
    ('warn', "no-solicitation -> solicitation '加我微信'")
"""

from __future__ import annotations

from suo.community.admission import (
    Admission,
    AdmissionDecision,
    Applicant,
    CapacityGate,
    Gate,
    GateResult,
    PaidEntryGate,
    ParticipationGate,
    ReferralGate,
)
from suo.community.content import (
    Asset,
    AssetKind,
    ContentCategory,
    ContentItem,
    ContentLibrary,
    Engagement,
    ProductionMode,
    ReviewRow,
    WeeklyReview,
    weekly_review,
    wilson_interval,
)
from suo.community.matcher import KeywordMatcher
from suo.community.model import (
    FLASH_DURATION,
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
from suo.community.referrals import Attribution, JoinSignals, Referrals, RewardTier, inviter_from
from suo.community.rules import (
    ATTACK_WORDS,
    SOLICITATION_WORDS,
    Action,
    Condition,
    Flood,
    Keywords,
    Ladder,
    Mentions,
    MessageContext,
    OutsideLinks,
    Pattern,
    Repeats,
    Rule,
    RuleBook,
    Scope,
    Step,
)
from suo.community.store import CommunityStore
from suo.community.welcome import PLACEHOLDERS, WELCOME_TEMPLATES, welcome_message

__all__ = [
    "ATTACK_WORDS",
    "FLASH_DURATION",
    "KIND_LABELS",
    "PLACEHOLDERS",
    "ROLE_LABELS",
    "ROLE_PERMISSIONS",
    "SOLICITATION_WORDS",
    "WELCOME_TEMPLATES",
    "Action",
    "Admission",
    "AdmissionDecision",
    "Applicant",
    "Asset",
    "AssetKind",
    "Attribution",
    "AuditEntry",
    "CapacityGate",
    "Community",
    "CommunityKind",
    "CommunityStore",
    "Condition",
    "ContentCategory",
    "ContentItem",
    "ContentLibrary",
    "DryRunReport",
    "Engagement",
    "Flood",
    "Gate",
    "GateResult",
    "Hit",
    "JoinSignals",
    "KeywordMatcher",
    "Keywords",
    "Ladder",
    "Member",
    "MemberStatus",
    "Mentions",
    "Message",
    "MessageContext",
    "Moderator",
    "OutsideLinks",
    "PaidEntryGate",
    "ParticipationGate",
    "Pattern",
    "Permission",
    "ProductionMode",
    "ReferralGate",
    "Referrals",
    "Repeats",
    "ReviewRow",
    "RewardTier",
    "Role",
    "Rule",
    "RuleBook",
    "Scope",
    "Step",
    "Verdict",
    "WeeklyReview",
    "can",
    "inviter_from",
    "weekly_review",
    "welcome_message",
    "wilson_interval",
]
