"""Where request counters live for the rate limits (web/rate_limits.py)."""
