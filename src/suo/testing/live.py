"""Conformance tests of the live storage protocol (need a ``store`` fixture)."""

from __future__ import annotations


class LiveStoreSuite:
    """Tests every backend's live storage against the protocol."""
