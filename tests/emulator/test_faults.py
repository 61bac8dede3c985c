"""Fault rules: matching, probability, count, determinism, validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from reconciler.emulator.faults import FaultConfig, FaultInjector, FaultRule
from reconciler.emulator.server import load_faults
from reconciler.emulator.workspace import SeedError


def _injector(*rules: dict[str, object], seed: int | None = 1) -> FaultInjector:
    return FaultInjector(FaultConfig.model_validate({"rules": list(rules), "seed": seed}))


def test_first_matching_rule_wins_and_count_limits_it() -> None:
    injector = _injector(
        {"endpoint": "/messages/schedule/create", "fault": "500", "count": 2},
        {"endpoint": "/messages/*", "fault": "reset"},
    )
    picked = [injector.pick("/messages/schedule/create") for _ in range(3)]
    assert [rule.fault if rule else None for rule in picked] == ["500", "500", "reset"]
    assert injector.pick("/campaigns/trigger/send") is None
    described = injector.describe()
    assert [rule["fired"] for rule in described["rules"]] == [2, 1]
    assert described["rules"][0]["probability"] == 1.0


def test_probability_is_deterministic_with_a_seed() -> None:
    def run() -> list[bool]:
        injector = _injector({"fault": "503", "probability": 0.3}, seed=42)
        return [injector.pick("/sends/id/create") is not None for _ in range(200)]

    first = run()
    assert first == run()
    assert 30 < sum(first) < 90
    never = _injector({"fault": "503", "probability": 0.0})
    assert all(never.pick("/x") is None for _ in range(50))


def test_configure_replaces_rules_and_counts() -> None:
    injector = _injector({"fault": "429"})
    injector.pick("/x")
    injector.configure(FaultConfig())
    assert injector.describe() == {"rules": [], "seed": None}
    assert injector.pick("/x") is None


def test_rules_are_validated() -> None:
    with pytest.raises(ValidationError) as caught:
        FaultConfig.model_validate({"rules": [{"fault": "boom", "probability": 1.5, "colour": 1}]})
    fields = sorted(".".join(map(str, e["loc"])) for e in caught.value.errors())
    assert fields == ["rules.0.colour", "rules.0.fault", "rules.0.probability"]
    assert FaultRule(fault="timeout").commit is True


def test_a_faults_file_in_yaml_or_json(tmp_path: Path) -> None:
    yaml_file = tmp_path / "faults.yaml"
    yaml_file.write_text(
        "seed: 3\nrules:\n  - {endpoint: /messages/schedule/create, fault: timeout, delay: 2}\n",
        encoding="utf-8",
    )
    config = load_faults(yaml_file)
    assert config.seed == 3
    assert config.rules[0].delay == 2
    json_file = tmp_path / "faults.json"
    json_file.write_text('{"rules": [{"fault": "reset", "count": 1}]}', encoding="utf-8")
    assert load_faults(json_file).rules[0].count == 1

    json_file.write_text('{"rules": [{"fault": "boom"}]}', encoding="utf-8")
    with pytest.raises(SeedError, match="invalid faults file"):
        load_faults(json_file)
    with pytest.raises(SeedError, match="cannot read the faults file"):
        load_faults(tmp_path / "missing.json")


def test_the_answer_fault_needs_its_status_and_message_and_only_it_takes_them() -> None:
    rule = FaultRule.model_validate(
        {"fault": "answer", "status": 404, "message": "Schedule not found", "errors": ["x"]}
    )
    assert (rule.status, rule.message, rule.errors) == (404, "Schedule not found", ["x"])
    for bad in (
        {"fault": "answer", "status": 400},
        {"fault": "answer", "message": "Bad Request"},
        {"fault": "answer", "status": 200, "message": "success"},
        {"fault": "500", "status": 400, "message": "Bad Request"},
        {"fault": "500", "errors": ["x"]},
    ):
        with pytest.raises(ValidationError):
            FaultRule.model_validate(bad)
    described = _injector({"fault": "answer", "status": 400, "message": "Bad Request"},
                          {"fault": "500"}).describe()  # fmt: skip
    assert [sorted(rule) for rule in described["rules"]] == [
        ["commit", "count", "delay", "endpoint", "fault", "fired", "message", "probability",
         "status"],
        ["commit", "count", "delay", "endpoint", "fault", "fired", "probability"],
    ]  # fmt: skip
