"""What a reviewer sees: long changes as line diffs, only recipients masked, Markdown that
renders to exactly its values, fired schedules folded, and the audit's honest words."""

from __future__ import annotations

import json
from pathlib import Path

from tests.commonmark import to_html, visible
from tests.e2e.conftest import CAMPAIGN, SEGMENT, Project, campaign_schedule

APP = "25e3cca7-b5cb-4140-9153-f2e1f90b0499"
SALE_LINE = (
    "<p>Hi there, take {pct} off all outerwear until Saturday, and free shipping on every "
    "order over $50.</p>"
)


def newsletter(pct: str = "30%", sender: str = "Acme <deals@acme.example>") -> str:
    return f"""kind: ScheduledMessage
name: newsletter
spec:
  broadcast: true
  segment_id: {SEGMENT}
  schedule: {{time: "2026-12-03T15:00:00Z"}}
  messages:
    email:
      app_id: {APP}
      from: "{sender}"
      subject: "48 hours only: {pct} off"
      body: |
        <h1>The flash sale is on</h1>
        {SALE_LINE.format(pct=pct)}
        <p>See you soon</p>
"""


def vip_launch(external_id: str = "cust-100245") -> str:
    return f"""kind: CampaignSchedule
name: vip-launch
spec:
  campaign_id: {CAMPAIGN}
  recipients:
    - external_user_id: {external_id}
    - email: walker@example.com
      prioritization: [identified]
  trigger_properties: {{headline: "Members <first> | 20% off"}}
  schedule: {{time: "2026-12-05T10:00:00Z"}}
"""


def test_a_long_email_body_change_is_a_word_diff_in_text_and_a_diff_block_in_markdown(
    project: Project,
) -> None:
    project.write("newsletter.yaml", newsletter())
    created = project.plan().stdout.splitlines()
    start = created.index("      + messages.email.body =")
    assert created[start + 1 : start + 4] == [
        "            <h1>The flash sale is on</h1>",
        "            " + SALE_LINE.format(pct="30%"),
        "            <p>See you soon</p>",
    ]
    assert project.apply().code == 0
    project.write("newsletter.yaml", newsletter("40%", "Acme Deals <deals@acme.example>"))

    text = project.plan("--detailed-exitcode")
    assert text.code == 2, text.stderr
    lines = text.stdout.splitlines()
    start = lines.index("      ~ messages.email.body:")
    assert lines[start + 1 : start + 4] == [
        "            <h1>The flash sale is on</h1>",
        "          ~ " + SALE_LINE.format(pct="[-30-]{+40+}%"),
        "            <p>See you soon</p>",
    ]
    # Message content is never masked, though its parent field is named "email".
    assert '      ~ messages.email.subject: "48 hours only: 30% off" -> ' in text.stdout
    assert '"Acme Deals <deals@acme.example>"' in text.stdout
    assert "•••" not in text.stdout  # nothing masked, so no note that something was

    markdown = project.plan("--format", "markdown").stdout
    assert '<code class="language-diff">' in to_html(markdown)
    shown = visible(markdown)
    assert "-" + SALE_LINE.format(pct="30%") + "\n+" + SALE_LINE.format(pct="40%") in shown
    assert '"48 hours only: 30% off"' in shown
    assert '"Acme Deals <deals@acme.example>"' in shown
    assert "•••" not in shown

    assert project.apply().code == 0
    project.assert_converged()
    (live,) = project.live()
    assert "40% off all outerwear" in json.dumps(live)


def test_only_recipient_identifiers_are_masked_and_saved_plans_keep_them(
    project: Project, tmp_path: Path
) -> None:
    project.write("vip.yaml", vip_launch())
    saved = tmp_path / "plan.json"
    text = project.plan("--out", str(saved))
    assert text.code == 0, text.stderr
    # Not a terminal (a CI log): recipients masked, said so, content shown.
    assert "Recipient identifiers are masked as ••• (--show-recipients shows them)." in text.stdout
    assert '+ recipients[0].external_user_id = "•••"' in text.stdout
    assert '+ recipients[1].email = "•••"' in text.stdout
    assert '+ recipients[1].prioritization[0] = "identified"' in text.stdout
    assert '+ trigger_properties.headline = "Members <first> | 20% off"' in text.stdout
    assert "cust-100245" not in text.stdout
    assert "walker@example.com" not in text.stdout

    shown = project.plan("--show-recipients").stdout
    assert '+ recipients[0].external_user_id = "cust-100245"' in shown
    assert "Recipient identifiers are masked" not in shown

    markdown = visible(project.plan("--format", "markdown").stdout)
    assert "cust-100245" not in markdown
    assert "walker@example.com" not in markdown
    assert '"headline": "Members <first> | 20% off"' in markdown

    # Tools and saved plans get every value: apply needs the real body.
    assert "cust-100245" in project.plan("--format", "json").stdout
    assert "cust-100245" in saved.read_text(encoding="utf-8")

    assert project.apply().code == 0
    project.assert_converged()
    project.write("vip.yaml", vip_launch("cust-200777"))
    update = project.plan()
    assert "cust-200777" not in update.stdout
    assert "cust-100245" not in update.stdout
    assert '"•••" -> "•••"' in update.stdout


def test_fired_schedules_fold_into_one_line_and_are_not_changes_to_review(
    project: Project,
) -> None:
    for name in ("early", "earlier", "earliest"):
        project.write(f"{name}.yaml", campaign_schedule(name, "2026-12-01T09:00:00Z"))
    assert project.apply().code == 0
    after = "2026-12-02T08:00:00Z"
    plan = project.run("plan", str(project.manifests), "--detailed-exitcode", now=after)
    assert plan.code == 0, plan.stdout + plan.stderr
    assert (
        "  # 3 schedules fired since the last apply: the ledger forgets them (no call to Braze)."
        in plan.stdout.splitlines()
    )
    assert "campaign_schedule/early" not in plan.stdout
    assert plan.stdout.splitlines()[-1] == (
        "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 3 to forget."
    )
    markdown = project.run("plan", str(project.manifests), "--format", "markdown", now=after)
    shown = visible(markdown.stdout)
    assert "3 schedules fired since the last apply: the ledger forgets them" in shown
    assert "campaign_schedule/early" not in shown
    # A real change still counts.
    project.write("later.yaml", campaign_schedule("later", "2026-12-09T09:00:00Z"))
    changed = project.run("plan", str(project.manifests), "--detailed-exitcode", now=after)
    assert changed.code == 2
    applied = project.run("apply", str(project.manifests), "--auto-approve", now=after)
    assert applied.code == 0, applied.stdout + applied.stderr
    again = project.run("plan", str(project.manifests), "--detailed-exitcode", now=after)
    assert again.code == 0
    assert "fired" not in again.stdout


def test_audit_says_api_schedules_are_as_applied_not_that_everything_matches(
    project: Project,
) -> None:
    project.write("gift.yaml", campaign_schedule("gift-guide"))
    assert project.apply().code == 0
    drafts = project.manifests / "dashboard"
    assert project.run("audit", str(project.manifests), "--generate-expectations", str(drafts))
    audit = project.run("audit", str(project.manifests), "--fail-on-drift")
    assert audit.code == 0, audit.stdout + audit.stderr
    assert "as applied (Braze cannot list them), schedule_id" in audit.stdout
    assert "everything" not in audit.stdout.splitlines()[-1]
    assert audit.stdout.splitlines()[-1] == (
        "In sync: 2 dashboard broadcasts as listed, 1 API schedule as applied "
        "(Braze cannot list them)."
    )
    markdown = project.run("audit", str(project.manifests), "--format", "markdown").stdout
    assert (
        "In sync within 30 d: 2 dashboard broadcasts as listed, 1 API schedule as applied "
        "(Braze cannot list them)."
    ) in visible(markdown)
