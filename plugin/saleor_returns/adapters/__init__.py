"""Adapters: the edges where the returns engine meets databases, stores, gateways and carriers."""
