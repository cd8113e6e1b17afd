"""Saleor's federation subgraph SDL (what its `_service { sdl }` answers), derived from Saleor's printed schema
(../shared/saleor/schema.graphql, `manage.py get_graphql_schema`) the way Saleor builds it.

Saleor (saleor/graphql/core/federation/schema.py, `create_service_sdl_resolver`) prints the schema again
without the subscription root, so neither `type Subscription` nor the `_entities`/`_service` fields (added to
Query after the schema is built) are in it; cuts the `schema { ... }` block; and writes each entity's
`@key(...)` (from `@federated_entity(...)` on the graphene type) in front of the `{` of `type <Name> `. That is
Federation 1: no `@link`, `@key` used without a definition. The entities are the members of `union _Entity`;
their keys are not in the printed schema, so KEYS copies them from Saleor's decorators.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SALEOR_SDL = Path(__file__).resolve().parents[2].parent / "shared" / "saleor" / "schema.graphql"

# @federated_entity(...) in Saleor's source, in the order Saleor writes them (the outer decorator first);
# every other member of union _Entity has @federated_entity("id")
KEYS = {
    "User": ("id", "email"),  # saleor/graphql/account/types.py
    "ProductVariant": ("id channel",),  # saleor/graphql/product/types/products.py
    "Product": ("id channel",),
    "Collection": ("id channel",),  # saleor/graphql/product/types/collections.py
}


def derive_subgraph_sdl(printed: str) -> str:
    """Saleor's `_service { sdl }` from Saleor's printed schema."""
    sdl = _cut_block(printed, "schema {")
    sdl = _cut_block(sdl, "type Subscription ", with_description=True)
    sdl = re.sub(r"\n  _entities\(representations: \[_Any!\]!\): \[_Entity\]\n  _service: _Service\n", "\n", sdl)
    for entity in _entities(sdl):
        keys = " ".join(f'@key(fields: "{fields}")' for fields in KEYS.get(entity, ("id",)))
        start = sdl.find(f"type {entity} ")
        brace = sdl.find("{", start)
        assert start >= 0 and brace > start, entity
        sdl = sdl[:brace] + keys + " " + sdl[brace:]
    return sdl.lstrip()


@cache
def saleor_subgraph_sdl() -> str:
    """The subgraph SDL of the Saleor whose schema is ../shared/saleor/schema.graphql."""
    return derive_subgraph_sdl(SALEOR_SDL.read_text())


def _entities(sdl: str) -> list[str]:
    found = re.search(r"^union _Entity = (.+)$", sdl, re.M)
    assert found, "Saleor's schema has no union _Entity"
    return [name.strip() for name in found.group(1).split("|")]


def _cut_block(sdl: str, opening: str, *, with_description: bool = False) -> str:
    """Remove a top-level definition (from its opening line to its closing `}` at the start of a line)."""
    start = sdl.find(opening if sdl.startswith(opening) else "\n" + opening)
    assert start >= 0, opening
    start = start + 1 if sdl[start] == "\n" else start
    end = sdl.find("\n}", start) + 2
    if with_description and sdl[:start].endswith('"""\n'):
        start = sdl.rfind('"""', 0, start - 4)
    return sdl[:start] + sdl[end:].lstrip("\n")
