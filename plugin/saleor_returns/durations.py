"""Durations as operators write them in settings and options: "90s", "15m", "24h", "7d" or plain seconds."""
from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": "seconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
EXAMPLES = "90s, 15m, 24h or 7d"


def read_duration(raw: str) -> timedelta | None:
    """The duration `raw` names, or None when it is not one (the caller says which setting was wrong)."""
    match = _DURATION.match(raw or "")
    return timedelta(**{_UNITS[match.group(2)]: float(match.group(1))}) if match else None
