"""The database a benchmark runs on: a SQLite file in a temp directory, or a throwaway PostgreSQL database
(bench_<random>, created on the server of --database-url and dropped afterwards), migrated to head."""
from __future__ import annotations

import asyncio
import os
import platform
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url


def _dsn(url: str, database: str | None = None) -> str:
    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


async def _execute(dsn: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def bench_database(postgres_url: str | None) -> Iterator[str]:
    """Yield a migrated database URL; remove it afterwards (also on errors and Ctrl+C)."""
    from saleor_returns.bootstrap import migrate

    if postgres_url is None:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
            migrate(url)
            yield url
        return
    name = f"bench_{secrets.token_hex(4)}"
    asyncio.run(_execute(_dsn(postgres_url), f'CREATE DATABASE "{name}"'))
    try:
        url = _dsn(postgres_url, name)
        migrate(url)
        yield url
    finally:
        try:
            asyncio.run(_execute(_dsn(postgres_url), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except Exception as exc:  # report, never hide the benchmark's own outcome
            print(f"warning: could not drop database {name}: {exc}", file=sys.stderr)


def machine() -> str:
    """CPUs, load, Python and commit, for the figures' header."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).parent, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                               cwd=Path(__file__).parent, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "?", ""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} CPUs, Python {platform.python_version()}, commit {commit}{'+dirty' if dirty else ''}, "
            f"load {load:.2f}")


def redact(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
