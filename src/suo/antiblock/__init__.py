"""Anti-block (防红): know the in-app browser, apply the link's access policy, guide people out.

* :func:`detect` -> :class:`Client` (``.platform``, ``.os``, ``.is_bot``, ``.is_mobile``,
  ``.is_preview``, ``.app_version``); :func:`details` for analytics detail.
* :class:`AccessPolicy` of ordered :class:`Rule` (a :class:`When` and an :class:`Action`),
  with presets ``anti_block()``, ``only(*platforms)``, ``mobile_only()``, ``no_bots()``.
* :class:`Pages`: the guide, deny, preview and status pages, overridable.
"""

from __future__ import annotations

from suo.antiblock.detect import CHINESE_APPS, OS, Client, Platform, details, detect
from suo.antiblock.lang import page_language, parse_accept_language, pick_language
from suo.antiblock.pages import (
    DEFAULT_PAGES,
    Pages,
    deny_page,
    guide_page,
    preview_page,
    status_page,
)
from suo.antiblock.policy import AccessPolicy, Action, PolicyDecision, Rule, When

__all__ = [
    "CHINESE_APPS",
    "DEFAULT_PAGES",
    "OS",
    "AccessPolicy",
    "Action",
    "Client",
    "Pages",
    "Platform",
    "PolicyDecision",
    "Rule",
    "When",
    "deny_page",
    "details",
    "detect",
    "guide_page",
    "page_language",
    "parse_accept_language",
    "pick_language",
    "preview_page",
    "status_page",
]

from suo._exports import publish

publish(globals(), __all__)
