"""A small client of the admin API, for tests, benchmarks and ``EmbeddedEmulator.admin``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx


class AdminClient:
    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self._http = httpx.Client(base_url=base_url + "/_emulator", timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str, **params: str) -> Any:
        response = self._http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def _post(self, path: str, body: Any) -> Any:
        response = self._http.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def schedules(self, **filters: str) -> list[dict[str, Any]]:
        """Every schedule (filters: schedule_id, kind, parent_id, status)."""
        found: list[dict[str, Any]] = self._get("/schedules", **filters)["schedules"]
        return found

    def schedule(self, schedule_id: str) -> dict[str, Any]:
        found = self.schedules(schedule_id=schedule_id)
        if len(found) != 1:
            raise KeyError(schedule_id)
        return found[0]

    def send_ids(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._get("/send_ids")["send_ids"]
        return found

    def sends(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._get("/sends")["sends"]
        return found

    def clock(self) -> dict[str, Any]:
        state: dict[str, Any] = self._get("/clock")
        return state

    def set_clock(self, instant: datetime | str) -> dict[str, Any]:
        text = instant.isoformat() if isinstance(instant, datetime) else instant
        state: dict[str, Any] = self._post("/clock", {"set": text})
        return state

    def advance(self, seconds: float) -> dict[str, Any]:
        state: dict[str, Any] = self._post("/clock", {"advance": seconds})
        return state

    def set_faults(self, rules: list[dict[str, Any]], seed: int | None = None) -> dict[str, Any]:
        state: dict[str, Any] = self._post("/faults", {"rules": rules, "seed": seed})
        return state

    def faults(self) -> dict[str, Any]:
        state: dict[str, Any] = self._get("/faults")
        return state

    def reset(self) -> None:
        self._post("/reset", {})

    def stats(self) -> dict[str, Any]:
        state: dict[str, Any] = self._get("/stats")
        return state
