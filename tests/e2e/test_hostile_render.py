"""Hostile file names and values stay inert in every renderer: no terminal escape, no GitHub
workflow command in a CI log, nothing hidden in a pull-request comment (rendered with a
CommonMark renderer, as the reviewer sees it)."""

from __future__ import annotations

import dataclasses

from reconciler.state import open_store
from tests.commonmark import comments, table_cells, visible
from tests.e2e.conftest import SEGMENT, Project, campaign_schedule

APP = "25e3cca7-b5cb-4140-9153-f2e1f90b0499"


def email(name: str, body: str, subject: str = "Hello", time: str = "2026-12-03T15:00:00Z") -> str:
    indented = "".join(f"        {line}\n" for line in body.splitlines())
    return f"""kind: ScheduledMessage
name: {name}
spec:
  broadcast: true
  segment_id: {SEGMENT}
  schedule: {{time: "{time}"}}
  messages:
    email:
      app_id: {APP}
      from: "Acme <deals@acme.example>"
      subject: "{subject}"
      body: |
{indented}"""


def test_an_html_comment_in_a_file_name_or_a_created_body_hides_nothing(project: Project) -> None:
    project.write("a<!--.yaml", campaign_schedule("alpha", "2026-12-02T10:00:00Z"))
    body = "Hi\n```\n</details>\n<!-- the rest is hidden"
    project.write("b.yaml", email("bravo", body, time="2026-12-02T11:00:00Z"))
    project.write("z.yaml", campaign_schedule("zulu", "2026-12-09T10:00:00Z"))
    markdown = project.plan("--format", "markdown").stdout
    assert comments(markdown) == [" braze-reconciler:plan "]
    shown = visible(markdown)
    assert "a<!--.yaml:1:1" in shown
    assert '"body": "Hi\\n```\\n</details>\\n<!-- the rest is hidden\\n"' in shown
    assert "campaign_schedule/zulu (create)" in shown
    assert shown.count("campaign_schedule/zulu") == 2  # the table row and its details


def test_a_file_name_with_a_newline_injects_no_workflow_command(project: Project) -> None:
    project.write("x\n::warning ::pwned.yaml", campaign_schedule("x"))
    text = project.plan()
    assert text.code == 0, text.stderr
    assert "from: " + str(project.manifests) + "/x\\n::warning ::pwned.yaml:1:1" in text.stdout
    assert not [line for line in text.stdout.splitlines() if line.startswith("::")]

    project.write("y\n::warning ::pwned.yaml", "kind: CampaignSchedule\nname: y\nspec: {}\n")
    for output in ("text", "github"):
        result = project.run("validate", str(project.manifests), "--format", output)
        assert result.code == 3, result.stdout + result.stderr
        lines = (result.stdout + result.stderr).splitlines()
        assert not [line for line in lines if line.startswith("::warning")], lines
    github = project.run("validate", str(project.manifests), "--format", "github").stdout
    assert "file=" + str(project.manifests) + "/y%0A%3A%3Awarning %3A%3Apwned.yaml" in github
    plan = project.plan()
    assert plan.code == 3
    assert not [line for line in plan.stderr.splitlines() if line.startswith("::")]


def test_escape_sequences_reach_no_terminal(project: Project) -> None:
    project.write("\x1b]0;pwned\x07.yaml", campaign_schedule("osc"))
    project.write("subject.yaml", email("esc", "Hi", subject="\\e[2J\\e[31mred"))
    for output in ("text", "markdown"):
        result = project.plan("--format", output)
        assert result.code == 0, result.stderr
        assert "\x1b" not in result.stdout
        assert "\x07" not in result.stdout
    text = project.plan().stdout
    assert "/\\x1b]0;pwned\\x07.yaml:1:1" in text
    assert '"\\u001b[2J\\u001b[31mred"' in text  # as JSON writes it, an escape
    broken = project.write("\x1b[2Jbad.yaml", "kind: Nope\n")
    result = project.run("validate", str(broken))
    assert result.code == 3
    assert "\x1b" not in result.stdout + result.stderr
    assert "\\x1b[2Jbad.yaml" in result.stdout + result.stderr


def test_message_text_cannot_close_the_diff_block_or_the_details(project: Project) -> None:
    hostile = "Dear customer\n</details>\n<!-- hide\n```\nBuy now, {pct} off today only\n| a | b |"
    project.write("m.yaml", email("promo", hostile.format(pct="10%")))
    project.write("z.yaml", campaign_schedule("zulu", "2026-12-09T10:00:00Z"))
    assert project.apply().code == 0
    project.write("m.yaml", email("promo", hostile.format(pct="20%"), subject="a | <b> `x`"))
    project.write("z.yaml", campaign_schedule("zulu", "2026-12-09T11:00:00Z"))
    markdown = project.plan("--format", "markdown").stdout
    assert comments(markdown) == [" braze-reconciler:plan "]
    shown = visible(markdown)
    assert "-Buy now, 10% off today only\n+Buy now, 20% off today only" in shown
    assert "\n <!-- hide\n ```\n-Buy now" in shown  # context lines, as written
    assert "only\n | a | b |\n" in shown
    assert "campaign_schedule/zulu (update)" in shown
    assert ["messages.email.subject", '"Hello"', '"a | <b> `x`"'] in table_cells(markdown)
    assert project.apply().code == 0
    project.assert_converged()


def test_a_hostile_answer_from_the_endpoint_stays_inert_in_the_apply_report(
    project: Project,
) -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hostile = "bad \x1b[31mRED\x1b]0;title\x07\n::warning file=x::injected"

    class Refusing(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            payload = json.dumps({"message": hostile}).encode()
            self.send_response(400)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        project.write("a.yaml", campaign_schedule("alpha"))
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        result = project.run("apply", str(project.manifests), "--auto-approve", endpoint=endpoint)
    finally:
        server.shutdown()
        server.server_close()
    assert result.code == 7, result.stdout + result.stderr
    assert "\x1b" not in result.stdout
    assert not any(line.lstrip().startswith("::") for line in result.stdout.splitlines())
    assert "bad \\x1b[31mRED\\x1b]0;title\\x07\\n::warning file=x::injected" in result.stdout


def test_no_line_of_a_long_value_can_start_a_workflow_command(project: Project) -> None:
    body = "Hello there, this is a long enough email body to be shown line by line.\n"
    hostile = "::warning file=a.yaml::injected\n"
    project.write("b.yaml", email("bravo", body + hostile + "Bye"))
    created = project.plan().stdout
    assert ":\\:warning file=a.yaml::injected" in created
    assert project.apply().code == 0
    # an update: the hostile line is now a context line of the diff
    project.write("b.yaml", email("bravo", body + hostile + "Goodbye"))
    updated = project.plan().stdout
    assert "Goodbye" in updated
    for output in (created, updated):
        assert not any(line.lstrip().startswith("::") for line in output.splitlines())


def test_a_hostile_schedule_id_stays_inert_in_the_state_list_and_apply_report_tables(
    project: Project,
) -> None:
    project.write("a.yaml", campaign_schedule("alpha"))
    assert project.apply().code == 0
    # ids recorded by apply are not checked: a hostile endpoint's answer lands in the ledger
    hostile = "[bold]x[/bold]\x1b[31m\n::warning ::pwned"
    with open_store(project.state, "default", default_dir=project.root) as store:
        record = store.get("campaign_schedule/alpha")
        assert record is not None
        store.put(dataclasses.replace(record, schedule_id=hostile))
    shown = "[bold]x[/bold]\\x1b[31m\\n::warning ::pwned"
    listed = project.run("state", "list")
    assert listed.code == 0, listed.stderr
    assert listed.stdout.splitlines()[0] == (
        f"campaign_schedule/alpha  active  {shown}  2026-12-05T10:00:00Z"
    )
    project.write("a.yaml", campaign_schedule("alpha", "2026-12-06T10:00:00Z"))
    updated = project.apply()
    assert updated.code == 7, updated.stdout + updated.stderr
    report = updated.stdout.split("\n\n")[-2].splitlines()
    assert report[0] == "failed  update  campaign_schedule/alpha"
    assert f"Braze does not know schedule {shown} (" in report[1]
    for output in (listed.stdout, updated.stdout):
        assert "\x1b" not in output
        assert not any(line.lstrip().startswith("::") for line in output.splitlines())
