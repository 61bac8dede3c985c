"""``!var NAME`` in manifests and ``environments: [..]``: the selected environment's values,
with their types and positions; an unknown name at its position, with a did-you-mean."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from reconciler.manifest.environment import Selection
from reconciler.manifest.loader import load_manifests
from reconciler.manifest.yamlload import Variables, YamlProblem, compose_documents

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CAMPAIGN = "924cd632-0dc9-4a59-a3f1-b892936fd233"
OTHER = "c1dae081-f8ba-4589-84dc-0a9b121dc236"

MANIFEST = """kind: CampaignSchedule
name: gift-guide
spec:
  campaign_id: !var gift_guide_campaign
  broadcast: true
  trigger_properties: {discount: !var discount, tags: !var tags}
  schedule:
    time: "2026-12-05T10:00:00Z"
"""
VALUES = {"gift_guide_campaign": CAMPAIGN, "discount": 20, "tags": ["a", "b"]}


def selection(name: str | None = "staging", **values: object) -> Selection:
    return Selection(
        name,
        ("staging", "production"),
        Variables(values or VALUES, f" in environment {name}", "[environments.x.vars]"),
    )


def test_values_keep_their_types_and_positions() -> None:
    (document,) = compose_documents(MANIFEST, selection().variables)
    spec = document.value["spec"]
    assert spec["campaign_id"] == CAMPAIGN
    assert spec["trigger_properties"] == {"discount": 20, "tags": ["a", "b"]}
    assert document.find(("spec", "campaign_id")) == (4, 16)
    assert document.variables == {
        ("spec", "campaign_id"): "gift_guide_campaign",
        ("spec", "trigger_properties", "discount"): "discount",
        ("spec", "trigger_properties", "tags"): "tags",
    }


def test_the_resource_records_which_fields_came_from_variables(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    result = load_manifests([tmp_path], NOW, selection=selection())
    assert result.ok, result.diagnostics
    (resource,) = result.resources
    assert resource.body["campaign_id"] == CAMPAIGN
    assert resource.variables == {
        "campaign_id": "gift_guide_campaign",
        "trigger_properties.discount": "discount",
        "trigger_properties.tags": "tags",
    }


def test_an_unknown_variable_is_an_error_at_its_position(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        MANIFEST.replace("!var gift_guide_campaign", "!var gift_guide_campaing"), "utf-8"
    )
    result = load_manifests([tmp_path], NOW, selection=selection())
    (error,) = result.errors
    assert error.code == "unknown_variable"
    assert (error.location.line, error.location.column) == (4, 16)
    assert error.message == "unknown variable 'gift_guide_campaing' in environment staging"
    assert error.hint is not None
    assert error.hint.startswith("did you mean 'gift_guide_campaign'?")


def test_without_a_configuration_no_variable_exists(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    result = load_manifests([tmp_path], NOW)
    assert {e.code for e in result.errors} == {"unknown_variable"}
    assert "no configuration file defines variables" in result.errors[0].message


def test_a_variable_is_checked_like_a_written_value(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    result = load_manifests(
        [tmp_path],
        NOW,
        selection=selection(gift_guide_campaign="not-an-id", discount=20, tags=[]),
    )
    (error,) = result.errors
    assert (error.location.line, error.location.column) == (4, 16)  # at the !var


def test_a_variable_is_no_key() -> None:
    with pytest.raises(YamlProblem, match=r"a variable \(!var\) cannot be a mapping key"):
        list(compose_documents("!var a: 1\n", Variables({"a": "x"})))


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("a: !var {b: 1}\n", "!var takes a variable name, not a mapping", (1, 4)),
        ("a:\n  - 1\n  - !var [2, 3]\n", "!var takes a variable name, not a sequence", (3, 5)),
        ("a: !custom {b: 1}\n", "unsupported tag '!custom' on a mapping", (1, 4)),
        ("a: !!set [1]\n", "unsupported tag 'tag:yaml.org,2002:set' on a sequence", (1, 4)),
    ],
)
def test_a_tag_on_a_collection_is_refused(
    text: str, message: str, position: tuple[int, int]
) -> None:
    with pytest.raises(YamlProblem) as caught:
        list(compose_documents(text, Variables({"b": 1})))
    assert caught.value.message == message
    assert caught.value.position == position
    assert caught.value.code == "yaml_tag"
    # Its own type's tag, and the non-specific one, are plain data.
    (document,) = compose_documents("a: !!map {b: !!seq [1]}\nc: ! {d: 2}\n")
    assert document.value == {"a": {"b": [1]}, "c": {"d": 2}}


def test_a_bare_var_needs_a_name() -> None:
    (document,) = compose_documents("a: !var\n", Variables({"b": 1}))
    (found,) = document.unknown
    assert found.message == "!var needs a variable name"
    assert found.position == (1, 4)


LIMITED = """kind: CampaignSchedule
name: production-only
environments: [production]
spec:
  campaign_id: !var only_in_production
  broadcast: true
  schedule:
    time: "2026-12-05T10:00:00Z"
"""


def test_a_manifest_limited_to_environments(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(LIMITED, encoding="utf-8")
    staging = load_manifests([tmp_path], NOW, selection=selection("staging", x=1))
    assert staging.ok  # not declared there: its variable is not looked up either
    assert staging.resources == []
    production = load_manifests(
        [tmp_path], NOW, selection=selection("production", only_in_production=OTHER)
    )
    assert production.ok, production.diagnostics
    assert [r.body["campaign_id"] for r in production.resources] == [OTHER]


def test_environments_must_name_configured_ones(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(LIMITED.replace("[production]", "[prodution]"), "utf-8")
    (error,) = load_manifests([tmp_path], NOW, selection=selection()).errors
    assert error.message == "unknown environment 'prodution'"
    assert (error.location.line, error.location.column) == (3, 15)
    assert error.hint is not None
    assert error.hint.startswith("did you mean 'production'?")
    (error,) = load_manifests([tmp_path], NOW).errors
    assert "the configuration defines none" in error.message
    (tmp_path / "m.yaml").write_text(LIMITED.replace("[production]", "production"), "utf-8")
    (error,) = load_manifests([tmp_path], NOW, selection=selection()).errors
    assert "non-empty list" in error.message
