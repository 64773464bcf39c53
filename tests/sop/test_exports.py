"""The public names of suo.sop: sorted, importable, and the contract ones present."""

from __future__ import annotations

import types

import suo.sop


def test_all_is_sorted_and_importable() -> None:
    names = suo.sop.__all__
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    for name in names:
        assert getattr(suo.sop, name) is not None


def test_contract_names() -> None:
    assert isinstance(suo.sop.templates, types.ModuleType)
    assert callable(suo.sop.templates.welfare_weekly)
    assert callable(suo.sop.templates.flash_72h)
    assert callable(suo.sop.templates.traffic_onboarding)
    for name in (
        "RRule",
        "Plan",
        "Step",
        "Occurrence",
        "Weekly",
        "Recurrence",
        "AfterJoin",
        "CampaignOffset",
        "Once",
    ):
        assert name in suo.sop.__all__
    plan = suo.sop.templates.welfare_weekly()
    assert callable(plan.occurrences)
    assert callable(plan.to_ical)
