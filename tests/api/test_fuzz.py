"""Issue 11: the API fuzzed from its own schema (hypothesis-graphql), valid and invalid documents, queries and
mutations, with and without the staff token: never a 5xx, never INTERNAL_ERROR.

Bounded: EXAMPLES documents per case (a few seconds each on an idle machine), against one app per case."""
from __future__ import annotations

from datetime import date, datetime

import httpx
import pytest
from graphql import StringValueNode, Visitor, print_ast, visit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from documents import REQUEST_RETURN, line, request
from saleor_returns.graphql.schema import export_sdl

EXAMPLES = 40
SDL = export_sdl()
SCALARS = {
    "Decimal": st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
                         st.sampled_from(["NaN", "1e400", "-0", "25.00", "x"])).map(nodes.String),
    "Date": st.one_of(st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat),
                      st.sampled_from(["9999-12-31", "2026-02-30", ""])).map(nodes.String),
    "DateTime": st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)).map(datetime.isoformat).map(nodes.String),
}
# the demo store's real ids (and the ids of returns made first), plain and with a NUL or a control character,
# put in place of some of the fuzzed strings, so documents reach real orders and returns and the database
REAL = ["ORD-1001", "ORD-1002", "ORD-1004", "L-1001-1", "L-1002-1", "ada@example.com", "ben@example.com",
        "dee@example.com", "default-channel", "japan", "USD", "1001", "#1002", "DOES_NOT_FIT", "OTHER", "R-10001"]


def _documents(mode: Mode, real: list[str]) -> st.SearchStrategy[str]:
    values = st.sampled_from([*real, *(r + "\x00" for r in real), *(r + "\u0007x" for r in real)])

    @st.composite
    def documents(draw: st.DrawFn) -> str:
        document = draw(from_schema(SDL, custom_scalars=SCALARS, mode=mode, allow_x00=True,
                                    print_ast=lambda d: d))
        count = _count_strings(document)
        picks = [draw(st.one_of(st.none(), values)) for _ in range(count)]
        return print_ast(visit(document, _Replace(picks)))  # type: ignore[arg-type]

    return documents()


def _count_strings(document: object) -> int:
    found = [0]

    class Count(Visitor):
        def enter_string_value(self, *_: object) -> None:
            found[0] += 1

    visit(document, Count())  # type: ignore[arg-type]
    return found[0]


class _Replace(Visitor):
    """Each string value in turn: kept (None) or replaced by the pick."""

    def __init__(self, picks: list[str | None]) -> None:
        super().__init__()
        self.picks = iter(picks)

    def enter_string_value(self, node: StringValueNode, *_: object) -> StringValueNode | None:
        pick = next(self.picks, None)
        return StringValueNode(value=pick) if pick is not None else None


def _check(app, document: str, token: str | None) -> None:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(f"{app.server.url}/graphql", json={"query": document}, headers=headers, timeout=60)
    assert response.status_code < 500, (document, response.text[:500])
    body = response.json()
    codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
    assert "INTERNAL_ERROR" not in codes, (document, body)


@pytest.mark.parametrize("mode", [pytest.param(Mode.POSITIVE, id="valid"), pytest.param(Mode.NEGATIVE, id="invalid")])
@pytest.mark.parametrize("staff", [pytest.param(False, id="anonymous"), pytest.param(True, id="staff")])
def test_fuzzed_documents_never_break_the_api(app, mode: Mode, staff: bool):
    token = app.deps.settings.admin_token if staff else None
    made = [app.gql(REQUEST_RETURN, request(order, email, line(lid)))["requestReturn"]["returnRequest"]["id"]
            for order, email, lid in [("ORD-1001", "ada@example.com", "L-1001-1"),
                                      ("ORD-1004", "dee@example.com", "L-1004-1")]]

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(document=_documents(mode, [*REAL, *made]))
    def fuzz(document: str) -> None:
        _check(app, document, token)

    fuzz()
