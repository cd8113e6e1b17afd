"""The GraphQL documents we send to Saleor, loaded by path from graphql/saleor/ (copied into the wheel).

One operation per file, named after the file; fragments it uses sit in the same file. Tests validate
every file against Saleor's own SDL, so what we send cannot drift from Saleor's schema.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from graphql import OperationDefinitionNode, OperationType, parse

from ...bundled import project_path

DOCUMENTS_ENV = "RETURNS_SALEOR_DOCUMENTS"


class DocumentError(RuntimeError):
    """A document file is missing or malformed (a packaging or checkout problem, not a runtime one)."""


@dataclass(frozen=True, slots=True)
class Document:
    name: str  # the operation name, = the file name without .graphql
    text: str
    kind: OperationType  # query, mutation or subscription

    @property
    def is_mutation(self) -> bool:
        return self.kind is OperationType.MUTATION


def documents_dir() -> Path:
    """graphql/saleor/ as installed with the package, else of the checkout it runs from (or
    RETURNS_SALEOR_DOCUMENTS)."""
    if os.environ.get(DOCUMENTS_ENV):
        return Path(os.environ[DOCUMENTS_ENV])
    found = project_path("graphql", "saleor", "ReturnsOrder.graphql")
    if found is not None:
        return found.parent
    raise DocumentError(f"graphql/saleor/ not found: install the package from a wheel, run from the project "
                        f"checkout, or set {DOCUMENTS_ENV}")


def read_document(path: Path) -> Document:
    """Parse one file and check it holds exactly one operation named like the file."""
    text = path.read_text(encoding="utf-8")
    operations = [d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].name is None or operations[0].name.value != path.stem:
        raise DocumentError(f"{path}: expected exactly one operation named {path.stem}")
    return Document(path.stem, text, operations[0].operation)


@cache
def _load(folder: str) -> dict[str, Document]:
    root = Path(folder)
    return {p.stem: read_document(p) for p in sorted(root.glob("*.graphql"))}


def document(name: str, folder: Path | None = None) -> Document:
    """The document for operation `name` (cached after the first read)."""
    docs = _load(str(folder or documents_dir()))
    try:
        return docs[name]
    except KeyError:
        raise DocumentError(f"no document {name}.graphql in {folder or documents_dir()}") from None


def webhook_query(name: str, folder: Path | None = None) -> str:
    """The subscription query of one webhook (graphql/saleor/webhooks/<name>.graphql)."""
    path = (folder or documents_dir()) / "webhooks" / f"{name}.graphql"
    return read_document(path).text
