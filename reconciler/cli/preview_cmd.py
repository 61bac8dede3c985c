"""``preview``: send a manifest's message now to a test group, through Braze's send endpoints."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import click

from reconciler.cli.options import (
    DURATION,
    confirmed,
    examples,
    now_option,
    request_timeout_option,
    service,
    text_or_json,
)
from reconciler.cli.output import err_console, out_console, write
from reconciler.cli.signals import sigterm_as_interrupt
from reconciler.errors import EXIT_APPLY_INCOMPLETE, EXIT_OK, EXIT_UNEXPECTED, UsageError
from reconciler.render.json_render import render_json
from reconciler.render.preview_text import render_proposal, render_report
from reconciler.service import ClientOptions, PreviewRequest
from reconciler.service.preview import DEFAULT_DEDUPE, PreviewProposal
from reconciler.settings import Settings
from reconciler.timeutil import short_duration


@click.command(
    epilog=examples(
        "preview --to marketing-team --target campaign_schedule/gift-guide-push manifests/",
        "preview --to marketing-team --target team=growth --yes --format json manifests/  # CI",
    )
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--to",
    "test_group",
    metavar="GROUP",
    help="The TestGroup to send to: its name or address (test_group/NAME). Default: the "
    "configuration's test_group.",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ADDR|label=value",
    help="Required: what to preview, an address (glob patterns allowed) or a label, as on "
    "plan; repeatable. Scheduled messages, campaign and Canvas schedules.",
)
@click.option("--yes", is_flag=True, help="Send without asking (CI).")
@click.option(
    "--dedupe",
    type=DURATION,
    default=short_duration(DEFAULT_DEDUPE),
    show_default=True,
    help="Skip a preview whose body went to the same group this recently (0s: never skip).",
)
@click.option(
    "--again",
    is_flag=True,
    help="Send even what --dedupe would skip (including a preview whose outcome is unknown).",
)
@click.option(
    "--with-campaign",
    is_flag=True,
    help="Send a scheduled message's preview with its campaign_id and variation ids (it then "
    "counts in the campaign's analytics); left out by default.",
)
@click.option(
    "--show-recipients",
    is_flag=True,
    help="Show recipient identifiers (masked in text when stdout is not a terminal).",
)
@request_timeout_option
@text_or_json("text, or json (format_version 1): each preview with its status and dispatch_id.")
@now_option
@click.pass_obj
def preview(
    settings: Settings,
    paths: tuple[str, ...],
    test_group: str | None,
    targets: tuple[str, ...],
    yes: bool,
    dedupe: timedelta,
    again: bool,
    with_campaign: bool,
    show_recipients: bool,
    request_timeout: float,
    output_format: str,
    now: datetime | None,
) -> int:
    """Send the targeted resources' messages now to a test group, and nobody else.

    A scheduled message goes through /messages/send, a campaign schedule through
    /campaigns/trigger/send, a Canvas schedule through /canvas/trigger/send, with a body built
    from scratch: the message, the group's users, never a segment, an audience, a broadcast or
    the manifest's own users. Each preview is journaled in the ledger; the same body to the
    same group within --dedupe is skipped, and one whose answer was lost is not retried.

    Exit 0 when every preview was sent or skipped, 1 when declined, 3 invalid input (or no
    terminal to ask on, without --yes), 7 when one failed, is uncertain or was not attempted.
    """
    if not targets:  # never "everything": each preview reaches people's phones
        raise UsageError(
            "preview needs --target: the resources whose messages to send now",
            hint="e.g. --target campaign_schedule/gift-guide-push, or --target team=growth",
        )
    test_group = test_group or settings.test_group
    if not test_group:
        raise UsageError(
            "preview needs --to GROUP: the TestGroup to send to",
            hint="e.g. --to marketing-team, or set test_group in braze-reconciler.toml",
        )
    request = PreviewRequest(
        paths=paths or settings.paths,
        test_group=test_group,
        targets=targets,
        dedupe=dedupe,
        again=again,
        with_campaign=with_campaign,
        client=ClientOptions(request_timeout=request_timeout),
    )
    masked = not show_recipients and not sys.stdout.isatty()

    def confirm(proposal: PreviewProposal) -> bool:
        shown = render_proposal(proposal.to_dict(), masked=masked)
        if output_format == "text":
            out_console().print(shown, end="")
        elif not yes:  # JSON goes out once, at the end; a person reads text
            err_console().print(shown, end="")
        if yes:
            return True
        count = len(proposal.previews)
        return confirmed(
            f"Send {count} preview{'s' if count != 1 else ''} to {proposal.test_group} now?",
            refusal="preview asks for confirmation, and there is no terminal to ask on; "
            "nothing was sent",
            hint="review what it would send, then pass --yes (CI)",
        )

    with sigterm_as_interrupt():
        _, report = service(settings, now).preview(request, confirm=confirm)
    if report is None:
        err_console().print("Preview cancelled; nothing was sent.")
        return EXIT_UNEXPECTED
    if output_format == "json":
        write(render_json({"format_version": 1, **report.to_dict()}))
    else:
        out_console().print(render_report(report.to_dict()), end="")
    return EXIT_OK if report.ok else EXIT_APPLY_INCOMPLETE
