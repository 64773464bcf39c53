"""Conformance tests of the sop storage protocol (need a ``store`` fixture)."""

from __future__ import annotations


class SopStoreSuite:
    """Tests every backend's sop storage against the protocol."""
