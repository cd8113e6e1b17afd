"""Our API as an Apollo Federation 2 subgraph (served at /graphql/federated): the schema of /graphql, plus
Saleor's `Order` extended by key `id` (graphql/federation.py), plus `_service` and `_entities`.

In a supergraph, same-named types of two subgraphs are one type. Three of ours share a name with a Saleor
type of another shape (`Money`: a Decimal amount, Saleor's a Float; `MoneyInput`; `PageInfo`) and would not
compose; our `Decimal` travels as a string, Saleor's as a float, and one scalar cannot be both. So the
subgraph calls them ReturnMoney, ReturnMoneyInput, ReturnPageInfo and ReturnDecimal. Date and DateTime are
ISO 8601 strings on both sides and stay shared. Nothing else differs from /graphql, whose SDL
(graphql/schema.graphql) stays as it is.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Final

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.schema.types.base_scalars import DecimalDefinition
from strawberry.types.base import StrawberryObjectDefinition

from .errors import MaskUnexpectedErrors
from .federation import Order
from .schema import Mutation, Query

# our type → its name in the subgraph, where Saleor's type of the same name is another shape
SUBGRAPH_NAMES = {"Money": "ReturnMoney", "MoneyInput": "ReturnMoneyInput", "PageInfo": "ReturnPageInfo",
                  "Decimal": "ReturnDecimal"}
# strawberry's Decimal (a string on the wire), under its subgraph name
RETURN_DECIMAL = replace(DecimalDefinition, name=SUBGRAPH_NAMES["Decimal"], implementation=None)
FEDERATION_VERSION: Final = "2.3"  # what Apollo Router 1.x and Gateway 2.3+ compose; we use @key only


class SubgraphNames(NameConverter):
    """Renames the object and input types of SUBGRAPH_NAMES; every other name is as on /graphql."""

    def from_object(self, object_type: StrawberryObjectDefinition) -> str:
        name = super().from_object(object_type)
        return SUBGRAPH_NAMES.get(name, name)


federated_schema = strawberry.federation.Schema(
    query=Query, mutation=Mutation, types=[Order], extensions=[MaskUnexpectedErrors],
    config=StrawberryConfig(name_converter=SubgraphNames()), scalar_overrides={Decimal: RETURN_DECIMAL},
    federation_version=FEDERATION_VERSION)


def export_federated_sdl() -> str:
    """The subgraph's SDL, as `_service { sdl }` answers it (what a gateway or `rover` composes)."""
    return federated_schema.as_str() + "\n"
