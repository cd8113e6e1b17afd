"""strawberry takes the document GraphQLGuard already parsed and measured, instead of parsing it again."""
from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from .document_limits import already_parsed


class ReuseCheckedDocument(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is None and ctx.query:
            ctx.graphql_document = already_parsed(ctx.query)  # None: strawberry parses it as usual
        yield
