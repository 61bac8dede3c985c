"""Which Braze path each managed kind uses for each call: one table for the planner (which
writes the requests into the plan) and the client (which sends them)."""

from __future__ import annotations

SEND_IDS_PATH = "/sends/id/create"
SCHEDULE_BASES = {
    "ScheduledMessage": "/messages/schedule",
    "CampaignSchedule": "/campaigns/trigger/schedule",
    "CanvasSchedule": "/canvas/trigger/schedule",
}


def request_path(kind: str, call: str) -> str:
    """``/campaigns/trigger/schedule/update`` for (CampaignSchedule, update); send ids have
    only a create."""
    if kind == "SendId":
        if call != "create":
            raise ValueError(f"a send id has no {call} call")
        return SEND_IDS_PATH
    return f"{SCHEDULE_BASES[kind]}/{call}"
