"""The domain imports no framework, no I/O library and no outer layer of this app (STYLE.md, habit 1)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import saleor_returns.domain

DOMAIN_DIR = Path(saleor_returns.domain.__file__).parent
FORBIDDEN_LIBRARIES = ("strawberry", "sqlalchemy", "httpx", "stripe", "starlette", "uvicorn", "reportlab", "jwt",
                       "asyncio")
FORBIDDEN_LAYERS = ("adapters", "services", "graphql", "web")


def domain_modules() -> list[Path]:
    return sorted(DOMAIN_DIR.rglob("*.py"))


def imported_modules(path: Path, domain_dir: Path = DOMAIN_DIR) -> list[str]:
    """Absolute names of everything a module imports, relative imports resolved against its package."""
    package = "saleor_returns." + ".".join(path.relative_to(domain_dir.parent).with_suffix("").parts[:-1])
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.append(module)
            names.extend(f"{module}.{alias.name}" for alias in node.names)
    return names


def forbidden(name: str) -> bool:
    top = name.split(".")[0]
    if top in FORBIDDEN_LIBRARIES:
        return True
    parts = name.split(".")
    return parts[0] == "saleor_returns" and len(parts) > 1 and parts[1] in FORBIDDEN_LAYERS


def test_the_domain_has_modules_to_check() -> None:
    # given / when / then: the walk finds the domain's files (an empty walk would pass anything)
    names = {p.stem for p in domain_modules()}
    assert {"money", "order", "policy", "deadline", "eligibility", "decision", "refund_math", "lifecycle",
            "goodwill", "refunds", "codes"} <= names


@pytest.mark.parametrize("module", domain_modules(), ids=lambda p: str(p.relative_to(DOMAIN_DIR)))
def test_domain_module_imports_nothing_forbidden(module: Path) -> None:
    # given a module of the domain
    # when its imports are read from the source
    bad = [name for name in imported_modules(module) if forbidden(name)]

    # then none of them is a framework, an I/O library or an outer layer
    assert bad == [], f"{module.name} imports {bad}"


@pytest.mark.parametrize(
    ("source", "is_forbidden"),
    [
        ("import stripe", True),
        ("import sqlalchemy.orm", True),
        ("from httpx import AsyncClient", True),
        ("import asyncio", True),
        ("from jwt import decode", True),
        ("from saleor_returns.adapters.stripe_gateway import StripeGateway", True),
        ("from ..services import returns", True),
        ("from ..graphql.schema import schema", True),
        ("from .. import web", True),
        ("from .money import Money", False),
        ("from decimal import Decimal", False),
        ("from saleor_returns.domain.codes import ReturnError", False),
        ("import jwtlike", False),
    ],
    ids=["stripe", "sqlalchemy-sub", "httpx-from", "asyncio", "jwt", "absolute-adapters", "relative-services",
         "relative-graphql", "relative-parent-web", "sibling", "stdlib", "absolute-domain", "similar-name"],
)
def test_the_checker_itself_catches_forbidden_imports(tmp_path: Path, source: str, is_forbidden: bool) -> None:
    # given a module placed as if it were in the domain, importing one thing
    fake_domain = tmp_path / "saleor_returns" / "domain"
    fake_domain.mkdir(parents=True)
    probe = fake_domain / "probe.py"
    probe.write_text(source + "\n", encoding="utf-8")

    # when its imports are checked (relative imports resolved as if it lived next to the real modules)
    names = imported_modules(probe, fake_domain)

    # then the verdict is the expected one
    assert any(forbidden(n) for n in names) is is_forbidden
