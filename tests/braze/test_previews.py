"""Preview bodies are built from scratch: the message and the test group's users, never a
segment, an audience, a broadcast or a user outside the group, whatever the manifest says.
Checked for every document of the examples and of the invalid corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from reconciler.braze.limits import bucket_names
from reconciler.braze.models import ENDPOINTS, unique_audience_key
from reconciler.braze.previews import (
    WIDENING,
    identity,
    listed_users,
    preview_body,
    reaches_only,
)
from reconciler.kinds import (
    CAMPAIGN_SEND_PATH,
    CANVAS_SEND_PATH,
    MESSAGES_SEND_PATH,
    PREVIEW_KINDS,
    Kind,
)
from reconciler.manifest.validate import DocumentContext, validate_document
from reconciler.manifest.yamlload import YamlProblem, compose_documents
from tests.e2e.conftest import NOW

ROOT = Path(__file__).parents[2]
GROUP: list[dict[str, Any]] = [
    {"external_user_id": "qa-ana", "trigger_properties": {"size": "M"}, "context": {"c": 1}},
    {"external_user_id": "qa-ben"},
    {"user_alias": {"alias_name": "qa-pixel", "alias_label": "qa_devices"}},
    {"email": "qa@acme.example", "prioritization": ["identified"]},
]
GROUP_IDS = {identity(user) for user in GROUP}
MESSAGES = {
    "apple_push": {"alert": "Sale", "message_variation_id": "3f7f44c6-c17e-48ba-bfa1-6b6f4c5b95ea"}
}


def named(body: dict[str, Any]) -> set[tuple[str, str] | None]:
    """Everyone a body names, by identifier."""
    return set(listed_users(body))


def assert_reaches_the_group_only(body: dict[str, Any]) -> None:
    assert not set(WIDENING) & set(body), body
    assert named(body), body
    assert named(body) <= GROUP_IDS, body
    assert reaches_only(body, GROUP) == []
    for item in body.get("recipients") or ():
        assert not {"attributes", "send_to_existing_only", "braze_id", "phone"} & set(item)


def test_a_scheduled_message_is_sent_with_its_messages_to_the_group_ids_and_aliases() -> None:
    spec = {
        "broadcast": True,
        "segment_id": "08dee5f4-b7b6-435a-b1e1-1f07d43b0d02",
        "campaign_id": "d111a44a-a347-4ab0-837e-9142cbd2a2fe",
        "send_id": "flash",
        "recipient_subscription_state": "opted_in",
        "override_messaging_limits": True,
        "schedule": {"time": "2026-12-03T15:00:00Z"},
        "messages": MESSAGES,
    }

    built = preview_body(MESSAGES_SEND_PATH, spec, GROUP)

    assert built.body == {
        "external_user_ids": ["qa-ana", "qa-ben"],
        "user_aliases": [{"alias_name": "qa-pixel", "alias_label": "qa_devices"}],
        "messages": {"apple_push": {"alert": "Sale"}},
        "recipient_subscription_state": "opted_in",
    }
    assert built.notes == (
        "the manifest targets segment 08dee5f4-b7b6-435a-b1e1-1f07d43b0d02: the preview goes to "
        "the test group only",
        "1 test user named by email left out: /messages/send takes external ids and aliases only",
        "not tracked under campaign d111a44a-a347-4ab0-837e-9142cbd2a2fe (its analytics stay "
        "clean): --with-campaign sends it with the campaign and variation ids",
        "send_id left out: the preview does not count in that send's analytics",
    )
    tracked = preview_body(MESSAGES_SEND_PATH, spec, GROUP, with_campaign=True)
    assert tracked.body["campaign_id"] == spec["campaign_id"]
    assert tracked.body["messages"] == MESSAGES
    assert "send_id" not in tracked.body
    for body in (built.body, tracked.body):
        ENDPOINTS[MESSAGES_SEND_PATH].request.model_validate(body)
    assert spec["messages"] == MESSAGES, "the manifest's body is not changed"


def test_a_campaign_schedule_is_triggered_for_the_group_with_its_trigger_properties() -> None:
    spec = {
        "campaign_id": "924cd632-0dc9-4a59-a3f1-b892936fd233",
        "send_id": "gift",
        "broadcast": True,
        "audience": {"custom_attribute": {"custom_attribute_name": "a", "comparison": "exists"}},
        "trigger_properties": {"discount": 20},
        "schedule": {"time": "2026-12-05T10:00:00", "in_local_time": True},
    }

    built = preview_body(CAMPAIGN_SEND_PATH, spec, GROUP)

    assert built.body == {
        "campaign_id": "924cd632-0dc9-4a59-a3f1-b892936fd233",
        "trigger_properties": {"discount": 20},
        "recipients": [
            {"external_user_id": "qa-ana", "trigger_properties": {"size": "M"}},
            {"external_user_id": "qa-ben"},
            {"user_alias": {"alias_name": "qa-pixel", "alias_label": "qa_devices"}},
            {"email": "qa@acme.example", "prioritization": ["identified"]},
        ],
    }
    assert built.notes[0] == (
        "the manifest targets a connected audience: the preview goes to the test group only"
    )
    ENDPOINTS[CAMPAIGN_SEND_PATH].request.model_validate(built.body)


def test_a_canvas_schedule_enters_the_group_with_its_context_and_never_its_own_users() -> None:
    spec = {
        "canvas_id": "3581a480-4930-4bfa-a41e-da73bfe8cc92",
        "canvas_entry_properties": {"offer": "FREESHIP"},
        "recipients": [
            {"external_user_id": "customer-1", "context": {"x": 1}},
            {
                "external_user_id": "customer-2",
                "send_to_existing_only": False,
                "attributes": {"first_name": "Ana"},
            },
        ],
        "schedule": {"time": "2026-12-09T09:00:00Z"},
    }

    built = preview_body(CANVAS_SEND_PATH, spec, GROUP)

    assert built.body["canvas_entry_properties"] == {"offer": "FREESHIP"}
    assert built.body["recipients"][0] == {"external_user_id": "qa-ana", "context": {"c": 1}}
    assert built.notes == (
        "the manifest targets 2 listed users: the preview goes to the test group only",
    )
    assert_reaches_the_group_only(built.body)
    ENDPOINTS[CANVAS_SEND_PATH].request.model_validate(built.body)


def test_reaches_only_names_what_could_reach_someone_else() -> None:
    assert reaches_only({"broadcast": True, "segment_id": "s", "campaign_id": "c"}, GROUP) == [
        "the body has broadcast",
        "the body has segment_id",
        "the body lists no user: Braze would send to a whole segment",
    ]
    stranger = {"recipients": [{"external_user_id": "stranger"}], "audience": {}}
    assert reaches_only(stranger, GROUP) == [
        "the body has audience",
        "1 recipient(s) outside the test group",
    ]
    assert reaches_only({"external_user_ids": ["qa-ana", "x"], "messages": {}}, GROUP) == [
        "1 recipient(s) outside the test group"
    ]
    assert reaches_only({"recipients": [{"braze_id": "qa-ana"}]}, GROUP) == [
        "1 recipient(s) outside the test group"
    ]
    with pytest.raises(ValueError, match="not an immediate-send endpoint"):
        preview_body("/messages/schedule/create", {}, GROUP)


@pytest.mark.parametrize("path", [MESSAGES_SEND_PATH, CAMPAIGN_SEND_PATH, CANVAS_SEND_PATH])
def test_a_preview_is_never_a_broadcast_so_it_counts_in_the_hourly_bucket(path: str) -> None:
    spec = {"campaign_id": "c", "canvas_id": "c", "broadcast": True, "messages": MESSAGES}
    body = preview_body(path, spec, GROUP).body
    assert bucket_names(path, unique_audience_key(path, body)) == ("hourly",)


def documents() -> list[tuple[str, int, Any]]:
    """Every document of examples/ and of the invalid corpus that names a preview kind."""
    files = sorted((ROOT / "examples").rglob("*.yaml"))
    files += sorted((ROOT / "tests" / "manifest" / "invalid").glob("*.yaml"))
    found = []
    for path in files:
        try:
            composed = list(compose_documents(path.read_text(encoding="utf-8")))
        except (YamlProblem, UnicodeDecodeError):
            continue  # no document to preview (a syntax error is the whole file's)
        for index, document in enumerate(composed):
            value = document.value
            kinds = {kind.value for kind in PREVIEW_KINDS}
            if isinstance(value, dict) and value.get("kind") in kinds:
                found.append((str(path.relative_to(ROOT)), index, document))
    return found


DOCUMENTS = documents()


def test_the_corpus_covers_every_kind_and_the_examples() -> None:
    kinds = {document.value["kind"] for _, _, document in DOCUMENTS}
    assert kinds == {kind.value for kind in PREVIEW_KINDS}
    assert sum(name.startswith("examples/") for name, _, _ in DOCUMENTS) == 8
    assert len(DOCUMENTS) > 60


@pytest.mark.parametrize(
    ("name", "index", "document"), DOCUMENTS, ids=[f"{n}#{i}" for n, i, _ in DOCUMENTS]
)
@pytest.mark.parametrize("with_campaign", [False, True], ids=["plain", "with-campaign"])
def test_every_manifest_previews_to_the_group_only(
    name: str, index: int, document: Any, with_campaign: bool
) -> None:
    value = document.value
    path = Kind(value["kind"]).facts.preview_path
    assert path is not None
    # Whatever the spec holds, valid or not: the body is built from scratch.
    spec = value.get("spec")
    if isinstance(spec, dict):
        built = preview_body(path, spec, GROUP, with_campaign=with_campaign)
        assert_reaches_the_group_only(built.body)
    # A valid manifest's preview is also one Braze accepts.
    resource, _ = validate_document(DocumentContext(name, document), NOW)
    if resource is None:
        return
    built = preview_body(path, resource.body, GROUP, with_campaign=with_campaign)
    assert_reaches_the_group_only(built.body)
    if "messages" in built.body and not built.body["messages"]:
        # a webhook alone: never previewed (it would call the real URL); preview refuses it
        assert set(resource.body["messages"]) == {"webhook"}
        return
    try:
        ENDPOINTS[path].request.model_validate(built.body)
    except ValidationError as exc:  # pragma: no cover - the message says which manifest
        pytest.fail(f"{name}#{index}: {exc}")


def test_a_webhook_message_is_never_previewed() -> None:
    """A webhook calls its URL once per recipient, not the test users' devices: a preview
    would post to the real endpoint. It is left out, with a note, and the guard refuses it."""
    spec = {
        "messages": {
            "webhook": {"url": "https://hooks.example/staff", "body": "sent"},
            "sms": {"subscription_group_id": "x", "body": "hi"},
        }
    }
    built = preview_body("/messages/send", spec, GROUP)
    assert set(built.body["messages"]) == {"sms"}
    assert any("webhook message left out" in note for note in built.notes)
    sneaked = {**built.body, "messages": spec["messages"]}
    assert "the body has a webhook message" in reaches_only(sneaked, GROUP)
