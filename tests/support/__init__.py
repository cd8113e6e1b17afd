"""Test kit: databases, a server on loopback, a settable clock, GraphQL helpers."""
