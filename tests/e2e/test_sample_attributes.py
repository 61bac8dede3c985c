"""``plan --sample-attributes FILE``: user attributes filled in what recipients will read."""

from __future__ import annotations

import json

from tests.e2e.conftest import Project, scheduled_message

ALERT = "Hi {{${first_name}}}, {{custom_attribute.${tier}}} {{${last_name}}}"


def test_sample_attributes_fill_the_texts_and_a_bad_file_is_exit_3(project: Project) -> None:
    project.write("a.yaml", scheduled_message("a", alert=ALERT))
    plain = project.plan("--offline", "--format", "json")
    [text] = json.loads(plain.stdout)["changes"][0]["texts"]
    assert text["after"] == "Hi {first_name}, {custom_attribute.tier} {last_name}"

    samples = project.root / "samples.yaml"
    samples.write_text("first_name: Ada\ntier: gold\n", encoding="utf-8")
    filled = project.plan("--offline", "--format", "json", "--sample-attributes", str(samples))
    assert filled.code == 0, filled.stderr
    [text] = json.loads(filled.stdout)["changes"][0]["texts"]
    assert text["after"] == "Hi Ada, gold {last_name}"

    as_json = project.root / "samples.json"
    as_json.write_text('{"custom_attribute.tier": "silver"}', encoding="utf-8")
    filled = project.plan("--offline", "--format", "json", "--sample-attributes", str(as_json))
    assert json.loads(filled.stdout)["changes"][0]["texts"][0]["after"].endswith(
        "silver {last_name}"
    )

    for content, where in [
        ("first_name: Ada\n- x\n", ":2:1:"),
        ("- Ada\n", ":1:1: the sample attributes are not a mapping"),
        ('a: 1\n"": 2\n', ":2:1: an attribute name must be text"),
    ]:
        samples.write_text(content, encoding="utf-8")
        bad = project.plan("--offline", "--sample-attributes", str(samples))
        assert bad.code == 3, bad.stdout + bad.stderr
        assert f"{samples}{where}" in bad.stderr
    missing = project.plan("--offline", "--sample-attributes", str(project.root / "none.yaml"))
    assert missing.code == 3
    assert "cannot read the sample attributes" in missing.stderr
