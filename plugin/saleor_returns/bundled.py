"""Where the repository's run-time files are: `migrations/`, `graphql/saleor/` and the demo store of
`examples/`. An installed wheel carries copies in `saleor_returns/_bundled/` (setup.py puts them there);
a checkout (editable install, tests) has them next to the package; else the current directory is tried.
"""
from __future__ import annotations

from pathlib import Path

BUNDLED_DIR = Path(__file__).resolve().parent / "_bundled"


def project_path(*parts: str) -> Path | None:
    """The file or folder `parts` (e.g. "migrations", "env.py"): the installed copy first, then the checkout
    this package runs from, then the current directory; None when none has it."""
    for base in (BUNDLED_DIR, *Path(__file__).resolve().parents, Path.cwd()):
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
    return None
