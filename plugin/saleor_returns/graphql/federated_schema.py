"""Our API as an Apollo Federation 2 subgraph (served at /graphql/federated): the schema of /graphql, plus
Saleor's `Order` extended by key `id` (graphql/federation.py), plus `_service` and `_entities`.

Three of our types share a name with a Saleor type of another shape (`Money`: Decimal amount vs Saleor's
Float; `MoneyInput`; `PageInfo`). In a supergraph, same-named types of two subgraphs are one type, and these
would not compose, so the subgraph calls them ReturnMoney, ReturnMoneyInput and ReturnPageInfo. Nothing
else differs from /graphql, whose SDL (graphql/schema.graphql) stays as it is.
"""
from __future__ import annotations

from typing import Final

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import StrawberryObjectDefinition

from .errors import MaskUnexpectedErrors
from .federation import Order
from .schema import Mutation, Query

# our type → its name in the subgraph, where Saleor's type of the same name is another shape
SUBGRAPH_NAMES = {"Money": "ReturnMoney", "MoneyInput": "ReturnMoneyInput", "PageInfo": "ReturnPageInfo"}
FEDERATION_VERSION: Final = "2.3"  # what Apollo Router 1.x and Gateway 2.3+ compose; we use @key only


class SubgraphNames(NameConverter):
    """Renames the types of SUBGRAPH_NAMES (objects and inputs); every other name is as on /graphql."""

    def from_object(self, object_type: StrawberryObjectDefinition) -> str:
        name = super().from_object(object_type)
        return SUBGRAPH_NAMES.get(name, name)


federated_schema = strawberry.federation.Schema(
    query=Query, mutation=Mutation, types=[Order], extensions=[MaskUnexpectedErrors],
    config=StrawberryConfig(name_converter=SubgraphNames()), federation_version=FEDERATION_VERSION)


def export_federated_sdl() -> str:
    """The subgraph's SDL, as `_service { sdl }` answers it (what a gateway or `rover` composes)."""
    return federated_schema.as_str() + "\n"
