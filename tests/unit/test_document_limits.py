"""The request limits: every legitimate client fits with room to spare; hostile shapes are measured fast."""
from __future__ import annotations

import json
import time

import pytest
from graphql.language import Lexer, Source, TokenKind

from saleor_returns.graphql.document_limits import (
    DocumentLimits,
    LimitExceeded,
    checked_document,
    measure,
    parse_bounded,
)
from saleor_returns.settings import Settings, SettingsError
from saleor_returns.traffic_settings import RequestLimits
from saleor_returns.web.json_limits import NotJson, decode_bounded
from support.client_documents import client_documents

DEFAULTS = DocumentLimits()
UNBOUNDED = DocumentLimits(10**8, 10**8, 10**6, 10**6, 10**8)


def _tokens(doc: str) -> int:
    lexer, count = Lexer(Source(doc)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


@pytest.mark.parametrize(("name", "doc"), sorted(client_documents().items()))
def test_every_document_of_our_clients_uses_at_most_a_quarter_of_each_limit(name: str, doc: str):
    # GraphiQL's introspection query is the deepest document anyone sends (15 levels of ofType): within the
    # depth limit, and a quarter of the others like the rest
    shape = measure(parse_bounded(doc, UNBOUNDED))
    assert len(doc) <= DEFAULTS.max_chars / 4
    assert _tokens(doc) <= DEFAULTS.max_tokens / 4
    assert shape.aliases <= DEFAULTS.max_aliases / 4 and shape.fields <= DEFAULTS.max_fields / 4
    assert shape.depth <= (DEFAULTS.max_depth if name.startswith("graphiql") else DEFAULTS.max_depth / 2)
    assert checked_document(doc, DEFAULTS) is not None


def test_the_clients_are_all_found():
    names = set(client_documents())
    assert {"portal/FIND_ORDER", "portal/REQUEST_RETURN", "console/QUEUE", "console/UPDATE_POLICY",
            "tests/REQUEST_RETURN", "graphiql/introspection"} <= names
    assert len(names) > 25


def _refused(doc: str, limits: DocumentLimits = DEFAULTS) -> LimitExceeded:
    start = time.perf_counter()
    with pytest.raises(LimitExceeded) as caught:
        checked_document(doc, limits)
    assert time.perf_counter() - start < 0.5, "a hostile document must be refused at once"
    return caught.value


def test_a_fragment_bomb_is_measured_without_being_expanded():
    # 2**30 fields once expanded: measured fragment by fragment, refused in well under a second
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30))
    doc = f"{{ ...F0 }} {fragments} fragment F30 on Query {{ __typename }}"
    err = _refused(doc)
    assert (err.code, err.limit, err.maximum) == ("QUERY_TOO_COMPLEX", "fields", DEFAULTS.max_fields)


def test_fragment_cycles_do_not_loop_forever():
    doc = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A __typename }"
    assert checked_document(doc, DEFAULTS) is not None  # validation reports the cycle later, as usual


@pytest.mark.parametrize(("doc", "limit"), [
    pytest.param("{" + " ".join(f"a{i}: __typename" for i in range(21)) + "}", "aliases", id="aliases"),
    pytest.param("{" + "a {" * 21 + "b" + "}" * 22, "depth", id="depth"),
    pytest.param("{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } }"
                 "}", "introspection_lists", id="introspection-bomb"),
    pytest.param("{" + " x" * 2001 + "}", "tokens", id="tokens"),
    pytest.param("#" + "c" * 20_000 + "\n{ __typename }", "chars", id="a-long-comment"),
    pytest.param("{" + " __typename @include(if: true)" * 100_000 + "}", "chars", id="100k-directives"),
    pytest.param("{" + "a {" * 1500 + "b" + "}" * 1501, "depth", id="nested-1500-deep"),
    pytest.param("{" + "a {" * 900 + "b" + "}" * 901, "depth", id="nested-900-deep"),
])
def test_hostile_documents_are_refused_naming_the_limit(doc: str, limit: str):
    err = _refused(doc)
    assert (err.code, err.limit, err.status) == ("QUERY_TOO_COMPLEX", limit, 400)
    assert err.message.strip()


def test_documents_that_do_not_parse_are_left_to_graphql():
    assert checked_document("query { requestReturn(", DEFAULTS) is None


def test_a_deep_json_body_is_refused_not_a_recursion_error():
    for depth in (21, 1_000, 100_000):
        body = '{"query": "{ __typename }", "variables": {"a": ' + "[" * depth + "]" * depth + "}}"
        with pytest.raises(LimitExceeded) as caught:
            decode_bounded(body.encode(), 20, 1000)
        assert (caught.value.code, caught.value.limit) == ("INPUT_TOO_LARGE", "json_depth")


def test_long_lists_and_objects_are_refused_with_their_path():
    with pytest.raises(LimitExceeded) as caught:
        decode_bounded(json.dumps({"variables": {"input": {"lines": [{}] * 1001}}}), 20, 1000)
    assert caught.value.limit == "list_length" and "variables.input.lines" in caught.value.message
    with pytest.raises(LimitExceeded):
        decode_bounded(json.dumps({"variables": {f"k{i}": 1 for i in range(1001)}}), 20, 1000)
    assert decode_bounded(json.dumps({"variables": {"lines": [{"a": [1]}] * 1000}}), 20, 1000)


def test_what_is_not_json_is_left_to_graphql():
    for raw in (b"{", b"\xff", b"nope"):
        with pytest.raises(NotJson):
            decode_bounded(raw, 20, 1000)


def test_limits_are_settings_checked_at_start():
    settings = Settings.from_env({"RETURNS_MAX_BODY_BYTES": "65536", "RETURNS_MAX_QUERY_ALIASES": "5",
                                  "RETURNS_RATE_LIMIT_LOOKUPS_PER_ORDER": "5/minute;50/day",
                                  "RETURNS_RATE_LIMIT_PER_TOKEN": "off", "RETURNS_RATE_LIMIT_STORAGE": "memory"})
    assert settings.limits.max_body_bytes == 65536 and settings.limits.document.max_aliases == 5
    assert [str(r) for r in settings.rate_limits.lookups_per_order] == ["5 per 1 minute", "50 per 1 day"]
    assert settings.rate_limits.per_token == () and settings.rate_limits.storage == "memory"
    assert Settings.from_env({}).limits == RequestLimits()
    assert Settings.from_env({}).rate_limits.storage_for("postgresql://x/y") == "database"
    assert Settings.from_env({}).rate_limits.storage_for("sqlite+aiosqlite:///x") == "memory"


@pytest.mark.parametrize(("env", "named"), [
    ({"RETURNS_MAX_BODY_BYTES": "lots"}, "RETURNS_MAX_BODY_BYTES"),
    ({"RETURNS_MAX_BODY_BYTES": "1000"}, "RETURNS_MAX_BODY_BYTES"),  # below what the console needs
    ({"RETURNS_MAX_QUERY_DEPTH": "3"}, "RETURNS_MAX_QUERY_DEPTH"),
    ({"RETURNS_RATE_LIMIT_REQUESTS_PER_ORDER": "10 per fortnight"}, "RETURNS_RATE_LIMIT_REQUESTS_PER_ORDER"),
    ({"RETURNS_RATE_LIMIT_STORAGE": "redis"}, "RETURNS_RATE_LIMIT_STORAGE"),
])
def test_a_bad_limit_stops_the_start_naming_the_variable(env: dict, named: str):
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)
