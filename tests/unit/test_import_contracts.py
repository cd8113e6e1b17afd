"""The layers keep to their imports ([tool.importlinter] in pyproject.toml): the domain imports the standard
library and babel only; services import no adapter, no framework and no settings module; the GraphQL layer
imports no adapter. `lint-imports` (import-linter) checks them here with the suite, and in .ci/lint."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

import saleor_returns

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(saleor_returns.__file__).parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# one forbidden import per contract, as a careless change would add it
VIOLATIONS = {
    "domain": ("domain/money.py", "import sqlalchemy  # probe", "saleor_returns.domain.money -> sqlalchemy"),
    "services": ("services/queries.py", "from ..adapters.db.uow import SqlUnitOfWork  # probe",
                 "saleor_returns.services.queries -> saleor_returns.adapters.db.uow"),
    "graphql": ("graphql/types.py", "from ..adapters.memory.providers import FixedClock  # probe",
                "saleor_returns.graphql.types -> saleor_returns.adapters.memory.providers"),
}


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)} if pythonpath else None
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


def test_every_layer_contract_holds() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts())} kept, 0 broken." in result.stdout


def test_a_forbidden_import_breaks_its_contract(tmp_path: Path) -> None:
    # given a copy of the package with one forbidden import per contract
    copy = tmp_path / "src" / "saleor_returns"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert {c["id"] for c in contracts()} == set(VIOLATIONS)
    for module, line, _ in VIOLATIONS.values():
        with (copy / module).open("a") as f:
            f.write(f"\n{line}\n")

    # when lint-imports checks the copy
    result = lint_imports(tmp_path, pythonpath=tmp_path / "src")

    # then it fails, every contract is broken, and each report names the import that broke it
    assert result.returncode != 0
    assert f"Contracts: 0 kept, {len(contracts())} broken." in result.stdout, result.stdout + result.stderr
    for _, _, chain in VIOLATIONS.values():
        assert chain in result.stdout


def test_the_domain_imports_nothing_but_itself_the_standard_library_and_babel() -> None:
    # the forbidden contract lists what must never come in; this is the allow-list it stands for
    graph = grimp.build_graph("saleor_returns", include_external_packages=True, cache_dir=None)
    allowed = (set(sys.stdlib_module_names) - {"asyncio"}) | {"babel"}
    outside = {(module, imported) for module in graph.find_descendants("saleor_returns.domain")
               for imported in graph.find_modules_directly_imported_by(module)
               if not imported.startswith("saleor_returns.domain") and imported.split(".")[0] not in allowed}
    assert outside == set()
