"""``preview`` end to end: the real CLI, the emulator's send endpoints, a real ledger. What
reaches the emulator is read back from ``GET /_emulator/sends``: only the group's users."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.braze.previews import WIDENING, listed_users
from reconciler.cli import cli
from reconciler.state.sqlite import SqliteStore
from tests.e2e.conftest import (
    CAMPAIGN,
    CANVAS,
    FLASH_CAMPAIGN,
    NOW_TEXT,
    SEGMENT,
    Project,
    Result,
    campaign_schedule,
    canvas_schedule,
    scheduled_message,
)

GROUP = """kind: TestGroup
name: qa
spec:
  recipients:
    - external_user_id: qa-ana
      trigger_properties: {size: M}
      context: {store_city: Denver}
    - user_alias: {alias_name: qa-pixel, alias_label: qa_devices}
    - email: qa@acme.example
      prioritization: [identified]
"""
GROUP_IDS = {
    ("external_user_id", "qa-ana"),
    ("user_alias", "qa_devices:qa-pixel"),
    ("email", "qa@acme.example"),
}
LATER = "2026-12-01T08:20:00Z"
THREE = (
    "--target",
    "scheduled_message/sale",
    "--target",
    "campaign_schedule/gift",
    "--target",
    "canvas_schedule/onboarding",
)


def preview(project: Project, *args: str, now: str = NOW_TEXT) -> Result:
    return project.run(
        "preview", str(project.manifests), "--to", "qa", "--yes", "--now", now, *args, now=None
    )


def answering(project: Project, answer: str, *args: str) -> Result:
    """A command whose question is answered ``answer`` (on a terminal: see ``options.can_ask``)."""
    full = ["--endpoint", project.emulator.base_url, "--state", project.state, *args]
    result = CliRunner().invoke(cli, full, input=answer)
    return Result(result.exit_code, result.stdout, result.stderr)


def as_json(result: Result) -> dict[str, Any]:
    assert result.stdout, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    assert document["format_version"] == 1
    return document


def statuses(result: Result) -> dict[str, str]:
    return {p["address"]: p["status"] for p in as_json(result)["previews"]}


def named(body: dict[str, Any]) -> set[tuple[str, str] | None]:
    """Everyone a body names, by identifier."""
    return set(listed_users(body))


def sends(project: Project) -> list[dict[str, Any]]:
    """What reached the emulator's send endpoints; each one reaches the test group only."""
    found = project.emulator.admin.sends()
    for send in found:
        body = send["body"]
        assert not set(WIDENING) & set(body), send
        assert named(body), send
        assert named(body) <= GROUP_IDS, send
    return found


@pytest.fixture
def manifests(project: Project) -> Project:
    """A broadcast of each kind (segment, campaign segment, Canvas) and the test group."""
    project.write("group.yaml", GROUP)
    project.write("sale.yaml", scheduled_message("sale"))
    project.write("gift.yaml", campaign_schedule("gift", extra="\n  trigger_properties: {d: 20}"))
    project.write("onboarding.yaml", canvas_schedule("onboarding"))
    return project


def test_each_kind_is_previewed_through_its_send_endpoint_to_the_group_only(
    manifests: Project,
) -> None:
    project = manifests
    assert project.apply().code == 0  # live schedules: a preview changes none of them

    result = preview(project, *THREE, "--format", "json")

    assert result.code == 0, result.stderr
    document = as_json(result)
    assert document["test_group"] == "test_group/qa"
    assert document["ok"] is True
    sent = {p["address"]: p for p in document["previews"]}
    assert {a: p["status"] for a, p in sent.items()} == dict.fromkeys(
        ("campaign_schedule/gift", "canvas_schedule/onboarding", "scheduled_message/sale"), "sent"
    )
    delivered = {s["dispatch_id"]: s for s in sends(project)}
    assert {p["dispatch_id"] for p in sent.values()} == set(delivered)
    by_path = {s["path"]: s["body"] for s in delivered.values()}
    assert by_path["/messages/send"] == {
        "external_user_ids": ["qa-ana"],
        "user_aliases": [{"alias_name": "qa-pixel", "alias_label": "qa_devices"}],
        "messages": {"apple_push": {"alert": "Sale"}},
    }
    assert by_path["/campaigns/trigger/send"]["campaign_id"] == CAMPAIGN
    assert by_path["/campaigns/trigger/send"]["trigger_properties"] == {"d": 20}
    assert by_path["/campaigns/trigger/send"]["recipients"][0] == {
        "external_user_id": "qa-ana",
        "trigger_properties": {"size": "M"},
    }
    assert by_path["/canvas/trigger/send"]["canvas_id"] == CANVAS
    assert by_path["/canvas/trigger/send"]["context"] == {"offer": "FREESHIP"}
    assert by_path["/canvas/trigger/send"]["recipients"][0]["context"] == {"store_city": "Denver"}
    assert (
        f"the manifest targets segment {SEGMENT}: the preview goes to the test group only"
        in (sent["scheduled_message/sale"]["notes"])
    )
    # journaled in the ledger, with the dispatch ids; never a record, never a plan change
    with SqliteStore(project.root / "ledger" / "state.db", "default") as store:
        journal = {p.address: p for p in store.previews()}
        assert {p.dispatch_id for p in journal.values()} == set(delivered)
        assert all(p.test_group == "test_group/qa" for p in journal.values())
        assert all(p.body_hash.startswith("sha256:") for p in journal.values())
        assert "test_group/qa" not in store.records()
    assert len(project.live()) == 3
    project.assert_converged()


def test_the_text_output_says_who_and_what_and_that_the_segment_is_left_out(
    manifests: Project,
) -> None:
    result = preview(manifests, "--target", "scheduled_message/sale", "--show-recipients")

    assert result.code == 0, result.stderr
    assert result.stdout.startswith(
        "Preview of 1 resource to test_group/qa (3 test users) at http://127.0.0.1:"
    )
    assert '      external_user_ids[0] = "qa-ana"' in result.stdout
    assert '      messages.apple_push.alert = "Sale"' in result.stdout
    assert (
        f"      note: the manifest targets segment {SEGMENT}: the preview goes to the test "
        "group only" in result.stdout
    )
    assert "/messages/send takes external ids and aliases only" in result.stdout
    assert "         sent  scheduled_message/sale  dispatch_id=" in result.stdout
    assert result.stdout.endswith("Preview complete: 1 sent.\n")
    masked = preview(manifests, "--target", "scheduled_message/sale", "--dedupe", "0s")
    assert "qa-ana" not in masked.stdout
    assert '      external_user_ids[0] = "•••"' in masked.stdout


def test_the_same_preview_is_skipped_within_the_dedupe_window_unless_again(
    manifests: Project,
) -> None:
    project = manifests
    assert preview(project, *THREE).code == 0
    assert len(sends(project)) == 3

    retried = preview(project, *THREE, "--format", "json")  # a retried CI job

    assert retried.code == 0
    assert set(statuses(retried).values()) == {"skipped"}
    skipped = as_json(retried)["previews"][0]
    assert skipped["earlier"]["outcome"] == "succeeded"
    assert skipped["message"].startswith("the same body went to test_group/qa at 2026-12-01T08")
    assert skipped["message"].endswith("; --again sends it anyway")
    assert len(sends(project)) == 3

    assert set(statuses(preview(project, *THREE, "--format", "json", now=LATER)).values()) == {
        "sent"
    }, "outside the 15 min window"
    again = preview(project, "--target", "campaign_schedule/gift", "--again", now=LATER)
    assert again.code == 0
    assert "         sent  campaign_schedule/gift" in again.stdout
    assert len(sends(project)) == 7
    # another body (the group changed) is another preview
    project.write("group.yaml", GROUP.replace("qa-ana", "qa-bo"))
    changed = preview(project, "--target", "campaign_schedule/gift", "--format", "json", now=LATER)
    assert statuses(changed) == {"campaign_schedule/gift": "sent"}
    short = preview(project, *THREE, "--dedupe", "5m", "--format", "json", now="2026-12-01T08:30Z")
    assert set(statuses(short).values()) == {"sent"}


def test_state_show_lists_the_previews_of_a_resource_never_applied(manifests: Project) -> None:
    project = manifests
    assert preview(project, *THREE).code == 0
    shown = project.run("state", "show", "campaign_schedule/gift")
    assert shown.code == 0, shown.stderr
    assert shown.stdout.startswith(
        "campaign_schedule/gift\n  never applied: only previews of its message are journaled\n"
    )
    assert "Previews: 1 send to test groups, oldest first" in shown.stdout
    assert "test_group/qa" in shown.stdout
    assert "succeeded" in shown.stdout
    document = json.loads(
        project.run("state", "show", "campaign_schedule/gift", "--format", "json").stdout
    )
    assert document["record"] is None
    (entry,) = document["previews"]
    assert entry["test_group"] == "test_group/qa"
    assert entry["outcome"] == "succeeded"
    assert entry["dispatch_id"]
    assert entry["endpoint"] == "/campaigns/trigger/send"
    missing = project.run("state", "show", "campaign_schedule/never-previewed")
    assert missing.code == 3
    assert "is not in the ledger" in missing.stderr


def test_a_lost_answer_is_not_retried_and_is_reported_uncertain(manifests: Project) -> None:
    project = manifests
    project.emulator.admin.set_faults(
        [{"endpoint": "/campaigns/trigger/send", "fault": "drop_after_commit", "count": 1}]
    )

    lost = preview(project, *THREE)

    assert lost.code == 7
    assert "    uncertain  campaign_schedule/gift" in lost.stdout
    assert "it may have been sent; not retried" in lost.stdout
    assert "Preview incomplete: 2 sent, 1 uncertain." in lost.stdout
    assert len(sends(project)) == 3, "the send was committed once and never sent again"

    retried = preview(project, "--target", "campaign_schedule/gift", "--format", "json")
    assert retried.code == 0
    [entry] = as_json(retried)["previews"]
    assert (entry["status"], entry["earlier"]["outcome"]) == ("skipped", "unknown")
    assert "may have been sent" in entry["message"]
    assert len(sends(project)) == 3

    assert preview(project, "--target", "campaign_schedule/gift", "--again").code == 0
    assert len(sends(project)) == 4


def test_a_refused_preview_failed_and_does_not_count_for_the_window(
    manifests: Project,
) -> None:
    project = manifests
    project.emulator.admin.set_faults(
        [
            {
                "endpoint": "/canvas/trigger/send",
                "fault": "answer",
                "status": 400,
                "message": "Bad Request",
                "count": 1,
            }
        ]
    )
    failed = preview(manifests, "--target", "canvas_schedule/onboarding", "--format", "json")
    assert failed.code == 7
    assert statuses(failed) == {"canvas_schedule/onboarding": "failed"}
    assert sends(project) == []
    retried = preview(manifests, "--target", "canvas_schedule/onboarding", "--format", "json")
    assert statuses(retried) == {"canvas_schedule/onboarding": "sent"}


def test_a_manifest_that_lists_its_own_users_previews_to_the_group_only(
    project: Project,
) -> None:
    project.write("group.yaml", GROUP)
    project.write(
        "customers.yaml",
        f"""kind: CampaignSchedule
name: restock
spec:
  campaign_id: {CAMPAIGN}
  recipients:
    - external_user_id: customer-1
      trigger_properties: {{size: S}}
    - external_user_id: customer-2
      send_to_existing_only: false
      attributes: {{first_name: Ana}}
  schedule: {{time: "2026-12-08T13:30:00Z"}}
""",
    )
    project.write(
        "sms.yaml",
        """kind: ScheduledMessage
name: staff
spec:
  external_user_ids: [staff-1, staff-2]
  schedule: {time: "2026-12-03T15:00:00Z"}
  messages: {apple_push: {alert: Hi}}
""",
    )
    result = preview(project, "--target", "campaign_schedule/restock", "--target", "*/staff")
    assert result.code == 0, result.stderr
    assert "the manifest targets 2 listed users: the preview goes to the test group only" in (
        result.stdout
    )
    assert len(sends(project)) == 2
    assert "customer-" not in json.dumps(project.emulator.admin.sends())
    assert "staff-" not in json.dumps(project.emulator.admin.sends())


def test_with_campaign_tracks_a_scheduled_message_under_its_campaign(project: Project) -> None:
    project.write("group.yaml", GROUP)
    project.write(
        "flash.yaml",
        f"""kind: ScheduledMessage
name: flash
spec:
  broadcast: true
  segment_id: {SEGMENT}
  campaign_id: {FLASH_CAMPAIGN}
  schedule: {{time: "2026-12-03T15:00:00Z"}}
  messages:
    apple_push: {{alert: Flash, message_variation_id: 3f7f44c6-c17e-48ba-bfa1-6b6f4c5b95ea}}
""",
    )
    assert preview(project, "--target", "scheduled_message/flash").code == 0
    assert preview(project, "--target", "scheduled_message/flash", "--with-campaign").code == 0
    plain, tracked = (s["body"] for s in sends(project))
    assert "campaign_id" not in plain
    assert plain["messages"] == {"apple_push": {"alert": "Flash"}}
    assert tracked["campaign_id"] == FLASH_CAMPAIGN
    assert tracked["messages"]["apple_push"]["message_variation_id"]


def test_a_test_group_is_never_applied_nor_a_plan_change(project: Project) -> None:
    project.write("group.yaml", GROUP)
    plan = project.plan("--detailed-exitcode")
    assert plan.code == 0, plan.stdout + plan.stderr
    assert "test_group" not in plan.stdout
    assert project.apply().code == 0
    assert project.run("state", "list").stdout.startswith("0 records")
    project.assert_converged()


def test_a_group_of_51_is_invalid_at_its_line(project: Project) -> None:
    users = "".join(f"    - external_user_id: qa-{n}\n" for n in range(51))
    path = project.write("group.yaml", f"kind: TestGroup\nname: qa\nspec:\n  recipients:\n{users}")
    project.write("sale.yaml", scheduled_message("sale"))

    result = preview(project, "--target", "scheduled_message/sale")

    assert result.code == 3
    assert (
        f"{path}:4:3: error: test_group/qa: spec.recipients: 51 recipients; a preview reaches "
        "at most 50 users per call [too_many_recipients]"
    ) in result.stderr
    assert "hint: split the group into groups of at most 50" in result.stderr
    assert project.emulator.admin.sends() == []
    assert project.run("validate", str(project.manifests)).code == 3


def test_without_a_terminal_or_yes_it_refuses_and_sends_nothing(
    manifests: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("preview", str(manifests.manifests), "--to", "qa", *THREE, "--now", NOW_TEXT)
    refused = manifests.run(*args)
    assert refused.code == 3
    assert "preview asks for confirmation, and there is no terminal to ask on" in refused.stderr
    assert "Preview of 3 resources to test_group/qa" in refused.stdout
    monkeypatch.setattr("reconciler.cli.options.can_ask", lambda: True)
    declined = answering(manifests, "no\n", *args)
    assert declined.code == 1
    assert "Preview cancelled; nothing was sent." in declined.stderr
    assert manifests.emulator.admin.sends() == []
    with SqliteStore(manifests.root / "ledger" / "state.db", "default") as store:
        assert store.previews() == []
    accepted = answering(manifests, "yes\n", *args)
    assert accepted.code == 0
    assert len(sends(manifests)) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--to", "qaa", "--target", "scheduled_message/sale"),
            "error: --to qaa: the manifests declare no test_group/qaa; nothing was sent\n"
            "  hint: did you mean test_group/qa? declared test groups: test_group/qa",
        ),
        (
            ("--to", "test_group/qa", "--target", "scheduled_message/sael"),
            "error: --target 'scheduled_message/sael' selects no scheduled_message/, "
            "campaign_schedule/ or canvas_schedule/ resource of the manifests; nothing was sent",
        ),
        (
            ("--to", "qa", "--target", "test_group/qa"),
            "error: --target 'test_group/qa' selects no scheduled_message/",
        ),
        (
            ("--to", "qa"),
            "error: preview needs --target: the resources whose messages to send now\n"
            "  hint: e.g. --target campaign_schedule/gift-guide-push, or --target team=growth",
        ),
    ],
)
def test_a_wrong_group_or_target_is_refused(
    manifests: Project, args: tuple[str, ...], message: str
) -> None:
    result = manifests.run("preview", str(manifests.manifests), *args, "--yes")
    assert result.code == 3
    assert message in result.stderr
    assert manifests.emulator.admin.sends() == []


def test_email_only_groups_cannot_preview_a_scheduled_message(project: Project) -> None:
    project.write(
        "group.yaml",
        "kind: TestGroup\nname: qa\nspec:\n  recipients:\n"
        "    - {email: qa@acme.example, prioritization: [identified]}\n",
    )
    project.write("sale.yaml", scheduled_message("sale"))
    result = preview(project, "--target", "scheduled_message/sale")
    assert result.code == 3
    assert result.stderr == (
        "error: scheduled_message/sale: no test user of test_group/qa can receive it through "
        "/messages/send, which takes external ids and aliases (the group names its users by "
        "email); nothing was sent\n"
        "  hint: add a test user with an external_user_id or a user_alias to test_group/qa\n"
    )
    assert project.emulator.admin.sends() == []


def test_preview_journals_in_the_local_ledger_with_the_embedded_emulator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRAZE_API_KEY", "local-key")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "group.yaml").write_text(GROUP, encoding="utf-8")
    (tmp_path / "m" / "gift.yaml").write_text(campaign_schedule("gift"), encoding="utf-8")
    args = ["--endpoint", "local", "preview", "m", "--to", "qa", "--target", "campaign_schedule/*"]
    first = CliRunner().invoke(cli, [*args, "--yes", "--now", NOW_TEXT])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(cli, [*args, "--yes", "--now", NOW_TEXT])
    assert "      skipped  campaign_schedule/gift" in second.stdout
    assert (tmp_path / ".braze-reconciler" / "local" / "state.db").exists()
