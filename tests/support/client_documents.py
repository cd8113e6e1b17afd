"""Every GraphQL document a legitimate client sends: the API tests, the portal, the console, and GraphiQL.

The request limits (docs/operations.md) must leave all of them room to spare; tests/unit/test_document_limits.py
checks it, so a new field in the portal that crosses a limit fails there first."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from graphql import get_introspection_query

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "plugin" / "saleor_returns" / "web" / "static"
_TEMPLATE = re.compile(r"(?:export\s+)?const\s+([A-Z_]+)\s*=\s*`(.*?)`;", re.S)


def _js_documents(path: Path) -> dict[str, str]:
    """The `const NAME = \\`...\\`` templates of a module, with ${OTHER} filled from the same module."""
    consts: dict[str, str] = {}
    for name, body in _TEMPLATE.findall(path.read_text()):
        consts[name] = re.sub(r"\$\{([A-Z_]+)\}", lambda m: consts[m.group(1)], body)
    return {f"{path.parent.name}/{name}": text for name, text in consts.items()
            if re.match(r"\s*(query|mutation)\b", text)}


def client_documents() -> dict[str, str]:
    """Name → document, for every document the clients of this repository send."""
    spec = importlib.util.spec_from_file_location("client_documents_api", ROOT / "tests" / "api" / "documents.py")
    assert spec is not None and spec.loader is not None
    documents = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(documents)
    found = {f"tests/{name}": value for name, value in vars(documents).items()
             if name.isupper() and isinstance(value, str) and re.match(r"\s*(query|mutation)\b", value)}
    for module in (STATIC / "portal" / "api.js", STATIC / "console" / "api.js"):
        found.update(_js_documents(module))
    found["graphiql/introspection"] = get_introspection_query(descriptions=True)
    return found
