"""Anti-block (防红): know the in-app browser and apply the link's access policy."""

from __future__ import annotations

from suo.antiblock.detect import OS, Client, Platform, detect
from suo.antiblock.policy import AccessPolicy, Action, PolicyDecision

__all__ = ["OS", "AccessPolicy", "Action", "Client", "Platform", "PolicyDecision", "detect"]
