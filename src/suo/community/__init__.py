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
    Condition,
    ConductAction,
    ConductRule,
    Flood,
    Keywords,
    Ladder,
    LadderStep,
    Mentions,
    MessageContext,
    OutsideLinks,
    Pattern,
    Repeats,
    RuleBook,
    Scope,
)
from suo.community.store import (
    CommunityStore,
    DocumentStore,
    LibraryStore,
    MemberDirectory,
    MemberStore,
    ModerationLog,
    ModeratorStore,
    ReferralLedger,
    ReferralsStore,
)
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
    "ConductAction",
    "ConductRule",
    "ContentCategory",
    "ContentItem",
    "ContentLibrary",
    "DocumentStore",
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
    "LadderStep",
    "LibraryStore",
    "Member",
    "MemberDirectory",
    "MemberStatus",
    "MemberStore",
    "Mentions",
    "Message",
    "MessageContext",
    "ModerationLog",
    "Moderator",
    "ModeratorStore",
    "OutsideLinks",
    "PaidEntryGate",
    "ParticipationGate",
    "Pattern",
    "Permission",
    "ProductionMode",
    "ReferralGate",
    "ReferralLedger",
    "Referrals",
    "ReferralsStore",
    "Repeats",
    "ReviewRow",
    "RewardTier",
    "Role",
    "RuleBook",
    "Scope",
    "Verdict",
    "WeeklyReview",
    "can",
    "inviter_from",
    "weekly_review",
    "welcome_message",
    "wilson_interval",
]

from suo._exports import publish

publish(globals(), __all__)
