"""What the community domain needs from a store: :class:`CommunityStore` and its parts.

:class:`CommunityStore` is the union of four small protocols, one per kind
of state:

* :class:`MemberStore`: communities and members (its lookup-and-status part
  is :class:`MemberDirectory`);
* :class:`ModerationLog`: strikes, flood windows, the audit log;
* :class:`DocumentStore`: content items, assets and referral links as small
  JSON documents with tags, so new content types need no new tables;
* :class:`ReferralLedger`: who invited whom.

Each domain class asks only for what it uses: :class:`~suo.community.Moderator`
for a :class:`ModeratorStore`, :class:`~suo.community.ContentLibrary` for a
:class:`LibraryStore`, :class:`~suo.community.Referrals` for a
:class:`ReferralsStore`, admission for a :class:`MemberStore`.

Every suo backend implements all of it (memory, SQLite, PostgreSQL, Redis)
and passes the shipped conformance suite :class:`suo.testing.CommunityStoreSuite`.
Writes that can race are settled in the engine, never by reading, deciding
and writing back in Python:

* :meth:`~ModerationLog.add_strike` adds a weighted strike and returns the
  live total (strikes inside the decay window) in one atomic step;
* :meth:`~ModerationLog.record_message` appends a message to the member's
  flood window and returns the counts per window in one atomic step;
* :meth:`~MemberStore.add_member` enforces capacity atomically;
* :meth:`~ReferralLedger.record_referral` counts each invitee once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from suo.community.model import AuditEntry, Community, Member, MemberStatus

__all__ = [
    "CommunityStore",
    "DocumentStore",
    "LibraryStore",
    "MemberDirectory",
    "MemberStore",
    "ModerationLog",
    "ModeratorStore",
    "ReferralLedger",
    "ReferralsStore",
]


@runtime_checkable
class MemberDirectory(Protocol):
    """Find a community and a member by id, and change a member's status.

    The part of :class:`MemberStore` that moderation needs (see
    :class:`ModeratorStore`).
    """

    def get_community(self, community_id: str) -> Community | None:
        """The community, or ``None``."""

    def get_member(self, community_id: str, member_id: str) -> Member | None:
        """The member, or ``None``."""

    def set_member_status(
        self,
        community_id: str,
        member_id: str,
        status: MemberStatus,
        muted_until: datetime | None,
    ) -> bool:
        """Change a stored member's status. ``False`` when the member is not stored."""


@runtime_checkable
class MemberStore(MemberDirectory, Protocol):
    """Communities and their members: save, list, delete, admit within capacity."""

    def save_community(self, community: Community) -> None:
        """Create or replace a community (by id)."""

    def list_communities(self) -> list[Community]:
        """Every community, ordered by id."""

    def delete_community(self, community_id: str) -> bool:
        """Delete a community and everything kept under it. ``False`` when none."""

    def add_member(self, community_id: str, member: Member, *, capacity: int | None) -> bool:
        """Create or replace a member; a new one only while fewer than ``capacity``
        non-removed members exist (atomic). ``False`` when the community is full."""

    def list_members(self, community_id: str) -> list[Member]:
        """Every member of the community (removed ones too), ordered by id."""

    def count_members(self, community_id: str) -> int:
        """How many members are not removed."""


@runtime_checkable
class ModerationLog(Protocol):
    """Moderation state: the strike ledger, the flood windows and the audit log."""

    def add_strike(
        self,
        community_id: str,
        member_id: str,
        *,
        at: datetime,
        weight: float,
        window: timedelta,
        event: str | None = None,
    ) -> float:
        """Add ``weight`` strikes at ``at``; return the sum of strikes in ``(at - window, at]``.

        ``event`` names the violation (the Moderator passes time + message
        digest): a second strike with the same event for the same member is
        not added, so a re-delivered message is not punished twice.
        """

    def strike_total(
        self, community_id: str, member_id: str, *, at: datetime, window: timedelta
    ) -> float:
        """The sum of strikes in ``(at - window, at]``."""

    def record_message(
        self,
        community_id: str,
        member_id: str,
        *,
        at: datetime,
        digest: str,
        windows: Sequence[timedelta],
    ) -> list[tuple[int, int]]:
        """Append a message; per window ``w`` return ``(messages, same digest)`` in
        ``(at - w, at]``, this one included. Older messages may be forgotten."""

    def append_audit(self, entry: AuditEntry) -> None:
        """Append one decision to the community's audit log."""

    def audit_log(
        self, community_id: str, *, member_id: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """The latest ``limit`` entries (optionally of one member), oldest first."""


@runtime_checkable
class ModeratorStore(ModerationLog, MemberDirectory, Protocol):
    """What :class:`~suo.community.Moderator` needs: the moderation log plus a member directory.

    From the members it only reads a community and a member when given their
    ids (:meth:`~MemberDirectory.get_community`, :meth:`~MemberDirectory.get_member`)
    and changes a member's status when a ladder step mutes or removes them
    (:meth:`~MemberDirectory.set_member_status`).
    """


@runtime_checkable
class DocumentStore(Protocol):
    """Small JSON documents with tags: content items, assets, referral links."""

    def save_doc(
        self,
        community_id: str,
        kind: str,
        doc_id: str,
        data: Mapping[str, Any],
        *,
        tags: Sequence[str] = (),
    ) -> None:
        """Create or replace a JSON document of ``kind`` with its tags."""

    def get_doc(self, community_id: str, kind: str, doc_id: str) -> dict[str, Any] | None:
        """The document, or ``None``."""

    def list_docs(
        self, community_id: str, kind: str, *, tag: str | None = None
    ) -> list[dict[str, Any]]:
        """Documents of ``kind`` (with ``tag`` when given), ordered by id."""

    def delete_doc(self, community_id: str, kind: str, doc_id: str) -> bool:
        """Delete a document. ``False`` when none."""


@runtime_checkable
class ReferralLedger(Protocol):
    """Who invited whom, counted once per invitee, and the leaderboard."""

    def record_referral(
        self,
        community_id: str,
        *,
        inviter_id: str,
        invitee_id: str,
        at: datetime,
        counted: bool,
        data: Mapping[str, Any] | None = None,
    ) -> tuple[bool, int]:
        """Attribute ``invitee_id`` to ``inviter_id`` once (the first attribution wins).

        Returns ``(new, total)``: whether this call recorded it, and the
        inviter's counted total afterwards (atomic).
        """

    def list_referrals(
        self, community_id: str, *, inviter_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Recorded referrals (``inviter``, ``invitee``, ``at``, ``counted``, ``data``) by invitee."""

    def referral_leaderboard(self, community_id: str, *, limit: int = 10) -> list[tuple[str, int]]:
        """``(inviter, counted invites)`` by most invites, then inviter id; zero counts left out."""


@runtime_checkable
class LibraryStore(DocumentStore, MemberDirectory, Protocol):
    """What :class:`~suo.community.ContentLibrary` needs: documents plus a member directory.

    From the members it only reads one: a user-generated item's author must
    be a member (:meth:`~MemberDirectory.get_member`).
    """


@runtime_checkable
class ReferralsStore(ReferralLedger, DocumentStore, MemberStore, Protocol):
    """What :class:`~suo.community.Referrals` needs: the referral ledger, documents, members.

    Documents keep each member's referral link and join signals; members are
    read for the inviter and written when :meth:`~suo.community.Referrals.admit`
    admits an applicant (through :class:`~suo.community.Admission`).
    """


@runtime_checkable
class CommunityStore(MemberStore, ModerationLog, DocumentStore, ReferralLedger, Protocol):
    """Everything the community domain keeps: the union of the four protocols.

    Every suo backend implements it. Code that needs only part of it asks for
    that part (:class:`MemberStore`, :class:`ModerationLog`,
    :class:`DocumentStore`, :class:`ReferralLedger`), so a custom store can
    implement just what it serves.

    Example:
        >>> import suo
        >>> from suo.community.store import CommunityStore, ModerationLog
        >>> store = suo.open_store("memory://")
        >>> isinstance(store, CommunityStore), isinstance(store, ModerationLog)
        (True, True)
    """
