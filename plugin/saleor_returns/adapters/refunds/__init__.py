"""Refund gateways: simulated (demo), Stripe, Saleor transactions."""
