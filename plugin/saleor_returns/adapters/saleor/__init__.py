"""Saleor: the GraphQL client, the app's install and webhooks, JWKS and token checks, orders from Saleor."""
