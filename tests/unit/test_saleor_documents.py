"""Nothing we send to Saleor can drift from Saleor's schema: every document in graphql/saleor/ (and every webhook
subscription query) validates against ../shared/saleor/schema.graphql, Saleor's own SDL."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from graphql import GraphQLSchema, InlineFragmentNode, OperationDefinitionNode, build_schema, parse, validate

from saleor_returns.adapters.saleor.documents import read_document
from saleor_returns.adapters.saleor.manifest import manifest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ROOT / "graphql" / "saleor"
SALEOR_SDL = ROOT.parent / "shared" / "saleor" / "schema.graphql"
FILES = sorted(DOCUMENTS.rglob("*.graphql"))
SENT = re.compile(r"""(?:execute|mutate|_call)\(\s*"([A-Z][A-Za-z]+)\"""")


@cache
def saleor() -> GraphQLSchema:
    return build_schema(SALEOR_SDL.read_text())


def test_there_are_documents_to_check():
    assert len(FILES) >= 10 and any(f.parent.name == "webhooks" for f in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(DOCUMENTS)))
def test_each_document_is_valid_against_saleors_schema(path: Path):
    errors = validate(saleor(), parse(path.read_text()))
    assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(DOCUMENTS)))
def test_each_file_holds_one_operation_named_like_the_file(path: Path):
    document = read_document(path)
    assert document.name == path.stem


def test_every_operation_the_code_sends_has_its_document_and_every_document_is_sent():
    source = "\n".join(p.read_text() for p in (ROOT / "plugin" / "saleor_returns").rglob("*.py"))
    sent = set(SENT.findall(source))
    files = {p.stem for p in DOCUMENTS.glob("*.graphql")}
    assert sent and sent <= files, sent - files
    assert files <= sent, f"documents nobody sends: {files - sent}"


def test_the_manifest_webhooks_are_subscriptions_saleor_knows_for_the_events_they_list():
    data = manifest("https://returns.example", "saleor-returns")
    async_events = set(saleor().get_type("WebhookEventTypeAsyncEnum").values)  # type: ignore[union-attr]
    permissions = set(saleor().get_type("PermissionEnum").values)  # type: ignore[union-attr]
    assert set(data["permissions"]) <= permissions
    for hook in data["webhooks"]:
        document = parse(hook["query"])
        assert validate(saleor(), document) == []
        [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        assert operation.operation.value == "subscription"
        [event_field] = operation.selection_set.selections
        names = {s.name.value for s in event_field.selection_set.selections if hasattr(s, "name")}  # type: ignore[union-attr]
        assert {"__typename", "issuedAt"} <= names  # the replay window needs issuedAt
        covered = {f.type_condition.name.value for f in event_field.selection_set.selections  # type: ignore[union-attr]
                   if isinstance(f, InlineFragmentNode)}
        assert set(hook["asyncEvents"]) <= async_events
        assert {_type_of(event) for event in hook["asyncEvents"]} == covered, hook["name"]


def _type_of(event: str) -> str:
    """ORDER_FULLY_REFUNDED → OrderFullyRefunded (Saleor's event type names)."""
    return "".join(part.capitalize() for part in event.split("_"))
