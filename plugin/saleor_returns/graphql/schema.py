"""The root schema, assembled from the areas; `export_sdl()` writes graphql/schema.graphql."""
from __future__ import annotations

import strawberry
from strawberry.extensions import ValidationCache
from strawberry.tools import merge_types

from .admin import AdminMutation, AdminQuery
from .console import ConsoleQuery
from .errors import MaskUnexpectedErrors
from .insight import InsightQuery
from .labels import LabelsMutation
from .notifications import NotificationsMutation, NotificationsQuery
from .policy import PolicyMutation, PolicyQuery
from .portal import PortalQuery
from .preview import PreviewQuery
from .returns import ReturnsMutation, ReturnsQuery
from .reuse_document import ReuseCheckedDocument
from .store import StoreMutation, StoreQuery
from .text_input import CheckTextInput

Query = merge_types("Query", (ReturnsQuery, PolicyQuery, AdminQuery, PortalQuery, ConsoleQuery, PreviewQuery,
                              StoreQuery, NotificationsQuery, InsightQuery))
Mutation = merge_types("Mutation", (ReturnsMutation, AdminMutation, PolicyMutation, LabelsMutation, StoreMutation,
                                    NotificationsMutation))
for _root in (Query, Mutation):  # every string a client sends is checked before a resolver sees it
    for _field in _root.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if _field.arguments:
            _field.extensions.append(CheckTextInput())

# strawberry logs every error with its traceback (logger "strawberry.execution") before it is masked; the document
# is the one web/graphql_guard.py parsed and measured (ReuseCheckedDocument: the same object for the same text, so
# each is validated once: ValidationCache, a bounded LRU)
schema = strawberry.Schema(query=Query, mutation=Mutation,
                           extensions=[MaskUnexpectedErrors, ReuseCheckedDocument,
                                       lambda: ValidationCache(maxsize=256)])


def export_sdl() -> str:
    return schema.as_str() + "\n"
