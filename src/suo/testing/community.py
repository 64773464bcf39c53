"""Conformance tests of the community storage protocol (need a ``store`` fixture)."""

from __future__ import annotations


class CommunityStoreSuite:
    """Tests every backend's community storage against the protocol."""
