"""Reference checks end to end: the real CLI plans against the emulator over loopback, which
answers GET /campaigns/details, /canvas/details and /segments/list from the demo workspace."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.server import EmbeddedEmulator, EmulatorConfig
from reconciler.emulator.workspace import load_workspace
from tests.e2e.conftest import KEY, NOW, Project, campaign_schedule, open_project

GIFT_GUIDE = "924cd632-0dc9-4a59-a3f1-b892936fd233"
ARCHIVED = "b19ee9a9-5314-4843-b873-6653bb44d2db"
NEWSLETTER = "3d4847b5-37fd-4361-8fb8-870321373791"  # scheduled in the dashboard
DRAFT = "1b2436b7-489a-4966-8702-0b0b153deff4"
FLASH = "d111a44a-a347-4ab0-837e-9142cbd2a2fe"
FLASH_EMAIL = "ea09438a-827b-4f93-82aa-6f47dd307a09"
GIFT_IOS = "6678fb1f-5b91-4c6d-aac9-572761a6230b"
IOS_FLASH = (
    "    apple_push: {alert: Sale, message_variation_id: 3f7f44c6-c17e-48ba-bfa1-6b6f4c5b95ea}\n"
)
PAUSED_CANVAS = "32d91d1d-88b1-4d5f-87ed-9e1ba0189479"
ARCHIVED_SEGMENT = "4ff78e42-1523-443b-a515-976a869bbfec"


def _with_campaign(name: str, campaign_id: str, extra: str = "") -> str:
    return campaign_schedule(name, extra=extra).replace(
        "campaign_id: 64e10856-01be-4aba-b5f7-c8418b2bbdb6", f"campaign_id: {campaign_id}"
    )


def _lookups(project: Project, path: str) -> int:
    counts = project.emulator.admin.stats()["requests"].get(path, {})
    return sum(int(n) for n in counts.values())


def test_an_archived_campaign_blocks_the_change_at_its_line(project: Project) -> None:
    project.write("a.yaml", _with_campaign("old-sale", ARCHIVED))
    result = project.plan()
    assert result.code == 4, result.stdout + result.stderr
    assert "blocked (reference)" in result.stdout
    assert f"a.yaml:5:16: campaign {ARCHIVED} (Summer sale 2025 (archived)) is archived" in (
        result.stdout
    )
    assert "Reference checks: 1 lookup (read-only)." in result.stdout


def test_a_campaign_without_api_triggered_delivery_is_refused(project: Project) -> None:
    project.write("a.yaml", _with_campaign("newsletter", NEWSLETTER))
    result = project.plan()
    assert result.code == 4
    assert "does not use API-triggered delivery (schedule_type 'time_based')" in result.stdout


def test_a_draft_campaign_is_refused(project: Project) -> None:
    project.write("a.yaml", _with_campaign("spring", DRAFT))
    result = project.plan()
    assert result.code == 4
    assert "is a draft" in result.stdout


def test_an_unknown_campaign_is_refused(project: Project) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    project.write("a.yaml", _with_campaign("typo", unknown))
    result = project.plan()
    assert result.code == 4
    assert f"campaign {unknown} does not exist in this workspace" in result.stdout


def _scheduled(variations: str, segment: str = "08dee5f4-b7b6-435a-b1e1-1f07d43b0d02") -> str:
    return f"""kind: ScheduledMessage
name: flash
spec:
  broadcast: true
  segment_id: {segment}
  campaign_id: {FLASH}
  schedule: {{time: "2026-12-03T15:00:00Z"}}
  messages:
{variations}"""


def test_a_variation_of_another_campaign_or_channel_is_refused(project: Project) -> None:
    project.write(
        "m.yaml",
        _scheduled(
            f"""    apple_push:
      alert: Sale
      message_variation_id: {GIFT_IOS}
    android_push:
      alert: Sale
      title: Sale
      message_variation_id: {FLASH_EMAIL}
"""
        ),
    )
    result = project.plan()
    assert result.code == 4
    out = result.stdout
    assert f"m.yaml:11:29: message_variation_id {GIFT_IOS} of the apple_push message is not a" in (
        out
    )
    assert f"message_variation_id {FLASH_EMAIL} of the android_push message is campaign" in out
    assert "email variation, not its android_push one" in out


def test_an_archived_segment_is_refused(project: Project) -> None:
    project.write("m.yaml", _scheduled(IOS_FLASH, ARCHIVED_SEGMENT))
    result = project.plan()
    assert result.code == 4
    assert f"segment {ARCHIVED_SEGMENT} does not exist in this workspace (or is archived" in (
        result.stdout
    )


def test_a_missing_trigger_property_names_the_message_and_the_property(project: Project) -> None:
    project.write(
        "gift.yaml",
        _with_campaign(
            "gift",
            GIFT_GUIDE,
            "\n  trigger_properties: {headline: Gifts, discount_code: GIFT20, colour: red}",
        ),
    )
    result = project.plan()
    assert result.code == 4, result.stdout
    out = result.stdout
    assert "gift.yaml:7:23:" in out
    assert "variation 'iOS push' (apple_push) alert" in out
    assert "use the property 'discount_percent', which the manifest does not give" in out
    # A property no message uses is a warning, not a block.
    assert "warning: campaign_schedule/gift: " in out
    assert "gift.yaml:7:23: the property 'colour' is given, but no message of campaign" in out


def test_a_property_given_by_every_recipient_counts_and_by_some_does_not(
    project: Project,
) -> None:
    body = """kind: CampaignSchedule
name: restock
spec:
  campaign_id: c1dae081-f8ba-4589-84dc-0a9b121dc236
  trigger_properties: {product_line: Parka, restock_date: "2026-12-08"}
  recipients:
    - external_user_id: a
      trigger_properties: {size: M, color: red}
    - external_user_id: b
      trigger_properties: {size: L}
  schedule: {time: "2026-12-08T13:30:00Z"}
"""
    project.write("r.yaml", body)
    result = project.plan()
    assert result.code == 4
    assert "the property 'color'" in result.stdout
    assert "'size'" not in result.stdout
    project.write("r.yaml", body.replace("{size: L}", "{size: L, color: blue}"))
    assert project.plan().code == 0


def test_a_paused_canvas_is_a_warning(project: Project) -> None:
    project.write(
        "c.yaml",
        f"""kind: CanvasSchedule
name: winback
spec:
  canvas_id: {PAUSED_CANVAS}
  broadcast: true
  schedule: {{time: "2026-12-09T09:00:00Z"}}
""",
    )
    result = project.plan()
    assert result.code == 0, result.stdout
    assert "is paused: nothing will be sent until it is resumed in Braze" in result.stdout


def test_apply_does_not_attempt_a_blocked_change(project: Project) -> None:
    project.write("a.yaml", _with_campaign("old-sale", ARCHIVED))
    result = project.apply()
    assert result.code == 4
    assert "is archived" in result.stdout + result.stderr
    assert project.schedules() == []
    assert _lookups(project, "/campaigns/trigger/schedule/create") == 0


def test_offline_looks_nothing_up(project: Project) -> None:
    project.write("a.yaml", _with_campaign("old-sale", ARCHIVED))
    result = project.plan("--offline")
    assert result.code == 0, result.stdout
    assert "Reference checks" not in result.stdout
    assert _lookups(project, "/campaigns/details") == 0


def test_each_object_is_looked_up_once_and_counted(project: Project) -> None:
    for index in range(5):
        project.write(f"a{index}.yaml", campaign_schedule(f"a{index}"))
    project.write("m.yaml", _scheduled(IOS_FLASH))
    result = project.plan("--format", "json")
    assert result.code == 0, result.stdout
    assert json.loads(result.stdout)["lookups"] == 3  # two campaigns, one segments page
    assert _lookups(project, "/campaigns/details") == 2
    assert _lookups(project, "/segments/list") == 1


def test_the_examples_pass_every_check(project: Project) -> None:
    examples = Path(__file__).parents[2] / "examples"
    result = project.run("plan", str(examples))
    assert result.code == 0, result.stdout
    assert "Reference checks: 6 lookups (read-only)." in result.stdout
    assert "warning: " not in result.stdout.replace("warning: this ledger is new", "")


def test_without_an_api_key_the_checks_are_skipped_with_one_warning(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRAZE_API_KEY")
    project.write("a.yaml", _with_campaign("old-sale", ARCHIVED))
    project.write("b.yaml", _with_campaign("newsletter", NEWSLETTER))
    result = project.plan()
    assert result.code == 0, result.stdout + result.stderr
    assert result.stdout.count("the reference checks were skipped") == 1


@pytest.fixture
def limited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """The demo workspace with a key that may schedule and list segments, not look up
    campaigns or Canvases."""
    data = load_workspace().model_dump()
    data["api_keys"] = [
        {
            "key": KEY,
            "permissions": [
                "campaigns.trigger.schedule.create",
                "messages.schedule.create",
                "segments.list",
            ],
        }
    ]
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(data), encoding="utf-8")
    yield from open_project(tmp_path, monkeypatch, seed=seed)


def test_a_key_without_campaigns_details_skips_those_checks_with_a_warning(
    limited: Project,
) -> None:
    limited.write("a.yaml", _with_campaign("old-sale", ARCHIVED))
    limited.write("m.yaml", _scheduled(IOS_FLASH, ARCHIVED_SEGMENT))
    result = limited.plan()
    out = result.stdout
    assert "the API key lacks the campaigns.details permission" in out
    assert out.count("campaigns.details permission") == 1
    assert "Summer sale 2025 (archived)) is archived" not in out
    # The segment check needs segments.list, which the key has.
    assert result.code == 4
    assert f"segment {ARCHIVED_SEGMENT} does not exist" in out
    assert "blocked" not in out.split("scheduled_message/flash")[0]


def test_a_refused_key_is_one_warning_and_no_block(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRAZE_API_KEY", "not-a-key-of-this-workspace-0123")
    project.write("a.yaml", _with_campaign("old-sale", ARCHIVED))
    project.write("b.yaml", _with_campaign("newsletter", NEWSLETTER))
    result = project.plan()
    assert result.code == 0, result.stdout + result.stderr
    assert result.stdout.count("the API key was refused (401 Unauthorized)") == 1


def test_a_lookup_braze_cannot_answer_is_a_warning(project: Project) -> None:
    project.emulator.admin.set_faults(
        [{"endpoint": "/canvas/details", "fault": "500", "count": 100}], seed=1
    )
    project.write(
        "c.yaml",
        f"""kind: CanvasSchedule
name: winback
spec:
  canvas_id: {PAUSED_CANVAS}
  broadcast: true
  schedule: {{time: "2026-12-09T09:00:00Z"}}
""",
    )
    result = project.plan()
    assert result.code == 0, result.stdout
    assert f"Canvas {PAUSED_CANVAS} could not be looked up" in result.stdout


def _seeded(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """The demo workspace's seed with ``change`` made to it, as a file."""
    data = load_workspace().model_dump()
    change(data)
    seed = tmp_path / f"seed-{len(list(tmp_path.glob('seed-*')))}.json"
    seed.write_text(json.dumps(data), encoding="utf-8")
    return seed


def _restarted(project: Project, seed: Path) -> EmbeddedEmulator:
    """The same emulator (address, data) started again on another seed: Braze's objects
    changed in the dashboard after the apply."""
    port = int(project.emulator.base_url.rsplit(":", 1)[1])
    config = project.emulator.config
    project.emulator.stop()
    return EmbeddedEmulator(dataclasses.replace(config, seed=seed), port=port)


def _by_id(items: list[dict[str, Any]], object_id: str) -> dict[str, Any]:
    return next(item for item in items if item["id"] == object_id)


def test_a_live_schedule_whose_campaign_or_canvas_changed_is_a_warning(
    project: Project, tmp_path: Path
) -> None:
    from tests.e2e.conftest import CAMPAIGN, CANVAS, canvas_schedule

    project.write("a.yaml", campaign_schedule("news"))
    project.write("c.yaml", canvas_schedule("checkin"))
    project.write("d.yaml", campaign_schedule("other", "2026-12-06T10:00:00Z"))
    assert project.apply().code == 0
    project.assert_converged()

    def change(data: dict[str, Any]) -> None:
        message = _by_id(data["campaigns"], CAMPAIGN)["variations"][0]["message"]
        message["alert"] += " Code: {{api_trigger_properties.${brandnew}}}"
        _by_id(data["canvases"], CANVAS)["archived"] = True

    project.remove("d.yaml")  # an unrelated change is planned as usual
    with _restarted(project, _seeded(tmp_path, change)) as emulator:
        project.emulator = emulator
        result = project.plan("--detailed-exitcode")
        out = result.stdout
        assert result.code == 2, out + result.stderr
        assert "blocked" not in out
        flat = " ".join(out.split())
        assert (
            "warning: campaign_schedule/news: the live schedule (no change) may send a blank, or "
            "nothing: " in flat
        )
        assert f"a.yaml:5:16: campaign {CAMPAIGN}" in flat
        assert "'brandnew'" in out
        assert "canvas_schedule/checkin: the live schedule (no change) may send a blank" in (
            " ".join(out.split())
        )
        assert "is archived" in out
        markdown = project.plan("--format", "markdown").stdout
        assert "brandnew" in markdown
        assert "live schedule" in markdown
        document = json.loads(project.plan("--format", "json").stdout)
        assert any("brandnew" in w for w in document["warnings"])


def test_lookups_never_wait_long_for_the_hourly_bucket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRAZE_API_KEY", KEY)
    monkeypatch.chdir(tmp_path)
    config = EmulatorConfig(
        api_keys=(KEY,), clock=NOW, data_dir=tmp_path / "emulator", hourly_limit=2
    )
    with EmbeddedEmulator(config) as emulator:
        project = Project(tmp_path, emulator, f"sqlite:///{tmp_path / 'ledger' / 'state.db'}")
        project.write("a.yaml", _with_campaign("old-sale", ARCHIVED))
        project.write("b.yaml", _with_campaign("newsletter", NEWSLETTER))
        project.write("m.yaml", _scheduled(IOS_FLASH))
        started = time.monotonic()
        result = project.plan()
        assert time.monotonic() - started < 60, result.stdout
        out = " ".join(result.stdout.split())
        assert "was not looked up (Braze's rate limit (" in out, out + result.stderr
        assert "its checks are skipped" in out


def test_a_lookup_that_times_out_is_skipped_after_one_retry(project: Project) -> None:
    project.emulator.admin.set_faults(
        [{"endpoint": "/canvas/details", "fault": "timeout", "delay": 8, "count": 100}], seed=1
    )
    project.write("c.yaml", canvas_schedule_of(PAUSED_CANVAS))
    started = time.monotonic()
    result = project.plan()
    assert time.monotonic() - started < 30
    assert result.code == 0, result.stdout
    assert f"Canvas {PAUSED_CANVAS} could not be looked up" in " ".join(result.stdout.split())
    assert _lookups(project, "/canvas/details") == 2


def canvas_schedule_of(canvas_id: str) -> str:
    return f"""kind: CanvasSchedule
name: winback
spec:
  canvas_id: {canvas_id}
  broadcast: true
  schedule: {{time: "2026-12-09T09:00:00Z"}}
"""


def test_a_404_that_does_not_name_the_id_is_not_read_as_unknown(project: Project) -> None:
    project.emulator.admin.set_faults(
        [
            {
                "endpoint": "/campaigns/details",
                "fault": "answer",
                "status": 404,
                "message": "Not Found",
            }
        ],
        seed=1,
    )
    project.write("a.yaml", _with_campaign("old-sale", ARCHIVED))
    result = project.plan()
    out = " ".join(result.stdout.split())
    assert result.code == 0, out
    assert "does not exist" not in out
    assert f"campaign {ARCHIVED} could not be looked up (HTTP 404: " in out


def _send_id(campaign_id: str) -> str:
    return f"""kind: SendId
name: promo-2026
spec:
  campaign_id: {campaign_id}
  send_id: promo-2026
"""


def test_a_send_id_of_an_archived_or_unknown_campaign_is_refused(project: Project) -> None:
    project.write("s.yaml", _send_id(ARCHIVED))
    result = project.plan()
    assert result.code == 4, result.stdout
    assert f"s.yaml:4:16: campaign {ARCHIVED} (Summer sale 2025 (archived)) is archived" in (
        " ".join(result.stdout.split())
    )
    unknown = "00000000-0000-4000-8000-000000000000"
    project.write("s.yaml", _send_id(unknown))
    result = project.plan()
    assert result.code == 4, result.stdout
    assert f"campaign {unknown} does not exist in this workspace" in result.stdout
    project.write("s.yaml", _send_id(FLASH))
    assert project.plan().code == 0


def test_each_problem_of_a_blocked_change_is_a_line_of_its_own(project: Project) -> None:
    project.write("gift.yaml", _with_campaign("gift", GIFT_GUIDE, "\n  trigger_properties: {}"))
    text = project.plan().stdout
    lines = [line for line in text.splitlines() if "which the manifest does not give" in line]
    assert len(lines) == 3, text
    assert all(line.lstrip().startswith("- ") for line in lines), text
    assert "blocked (reference):\n" in text
    markdown = project.plan("--format", "markdown").stdout
    nested = [line for line in markdown.splitlines() if line.startswith(">   - ")]
    assert len(nested) == 3, markdown
