"""The root schema, assembled from the areas; `export_sdl()` writes graphql/schema.graphql."""
from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from .admin import AdminMutation, AdminQuery
from .policy import PolicyMutation, PolicyQuery
from .returns import ReturnsMutation, ReturnsQuery

Query = merge_types("Query", (ReturnsQuery, PolicyQuery, AdminQuery))
Mutation = merge_types("Mutation", (ReturnsMutation, AdminMutation, PolicyMutation))

schema = strawberry.Schema(query=Query, mutation=Mutation)


def export_sdl() -> str:
    return schema.as_str() + "\n"
