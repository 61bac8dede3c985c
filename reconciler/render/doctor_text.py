"""``doctor`` for a terminal: each check, each permission, Braze's answers to an unknown
schedule, and what was recorded.

Built from ``DoctorReport.to_dict()`` only, like the JSON, so the two cannot disagree. Returns
rich markup; every value that comes from Braze or a file (answers, URLs) is made inert.
"""

from __future__ import annotations

from typing import Any

from reconciler.render.inert import markup

_STYLE = {
    "ok": "green",
    "warning": "yellow",
    "missing": "bold red",
    "unknown": "magenta",
    "skipped": "dim",
}
_VERDICT_WORDS = {
    "gone": "says the schedule is unknown",
    "ambiguous": "may mean the schedule is unknown, without saying so",
    "other": "says nothing the gone decision can read",
}
_SUMMARY = {
    "ok": "[green]Everything needed is there.[/]",
    "warning": "[yellow]Everything needed is there[/], with the warnings above.",
    "missing": "[bold red]Something needed is missing[/] (see above).",
    "unknown": "[magenta]Braze's answers could not tell everything[/] (see above): try again.",
}


def _status(status: str) -> str:
    return f"[{_STYLE[status]}]{status:<8}[/]"


def render_doctor_text(report: dict[str, Any]) -> str:
    lines = [
        f"Doctor of workspace [bold]{markup(str(report['workspace']))}[/] at "
        f"{markup(str(report['endpoint']))}, {report['checked_at']}:",
        "",
    ]
    for check in report["checks"]:
        lines.append(f"  {_status(check['status'])} {check['name']:<10}{markup(check['summary'])}")
        if check.get("hint") and check["status"] != "ok":
            lines.append(f"{'':22}hint: {markup(check['hint'])}")
    lines += ["", "Permissions (each probed with a call that schedules and sends nothing):"]
    for permission in report["permissions"]:
        needed = ", ".join(permission["needed_for"]) or "not needed"
        lines.append(
            f"  {_status(permission['status'])} {permission['permission']:<34} {needed:<7} "
            f"{markup(str(permission['answer']))}"
        )
    if report["unknown_schedule"]:
        lines += ["", "Braze's answers to a schedule id that cannot exist:"]
    for answer in report["unknown_schedule"]:
        verdict = answer["default_verdict"]
        words = _VERDICT_WORDS[verdict] if verdict else "success: nothing says it is unknown"
        if not answer["recordable"]:
            kept = "; not recorded: that answer must never come to mean gone"
        else:
            kept = "; recorded" if report["recorded"] is not None else ""
        lines.append(f"  {answer['path']}: {markup(answer['answer'])}")
        lines.append(f"      by its words alone, it {words}{kept}")
    lines += ["", markup(report["recording"]), "", _SUMMARY[report["status"]]]
    return "\n".join(lines) + "\n"
