"""Build step the pyproject.toml configuration cannot say: the repository's run-time folders go into the wheel.

`migrations/` (Alembic, for `saleor-returns migrate`), `graphql/saleor/` (the documents sent to Saleor) and the
demo store of `examples/` stay where they are in the repository; a regular (non-editable) build copies them
into the package as `saleor_returns/_bundled/`, where the installed package finds them
(saleor_returns/bundled.py). Editable installs read the checkout's own folders instead.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("migrations", "graphql/saleor", "examples/demo-orders.json", "examples/policy.json")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")


class BuildWithBundledFiles(build_py):
    """build_py, then a copy of each BUNDLED path under saleor_returns/_bundled/ in the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "saleor_returns" / "_bundled"
        shutil.rmtree(target, ignore_errors=True)  # a build/ left from before must not keep deleted files
        for name in BUNDLED:
            source, dest = ROOT / name, target / name
            if source.is_dir():
                shutil.copytree(source, dest, ignore=SKIP, dirs_exist_ok=True)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest)


setup(cmdclass={"build_py": BuildWithBundledFiles})
