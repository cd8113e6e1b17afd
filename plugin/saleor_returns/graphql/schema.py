"""The root schema, assembled from the areas; `export_sdl()` writes graphql/schema.graphql."""
from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from .admin import AdminMutation, AdminQuery
from .console import ConsoleQuery
from .errors import MaskUnexpectedErrors
from .labels import LabelsMutation
from .policy import PolicyMutation, PolicyQuery
from .portal import PortalQuery
from .preview import PreviewQuery
from .returns import ReturnsMutation, ReturnsQuery
from .store import StoreMutation, StoreQuery

Query = merge_types("Query", (ReturnsQuery, PolicyQuery, AdminQuery, PortalQuery, ConsoleQuery, PreviewQuery,
                              StoreQuery))
Mutation = merge_types("Mutation", (ReturnsMutation, AdminMutation, PolicyMutation, LabelsMutation, StoreMutation))

# strawberry logs every error with its traceback (logger "strawberry.execution") before it is masked
schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[MaskUnexpectedErrors])


def export_sdl() -> str:
    return schema.as_str() + "\n"
