"""POST a GraphQL document to the test server and hand back `data` (asserting no top-level errors)."""
from __future__ import annotations

from typing import Any

import httpx


class GraphQLClient:
    def __init__(self, base_url: str, admin_token: str) -> None:
        self.base_url = base_url
        self.admin_token = admin_token
        self.http = httpx.Client(base_url=base_url, timeout=30)

    def raw(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    def __call__(self, query: str, variables: dict[str, Any] | None = None, *, staff: bool = False,
                 token: str | None = None) -> dict[str, Any]:
        body = self.raw(query, variables, token or (self.admin_token if staff else None))
        assert "errors" not in body, body["errors"]
        return body["data"]

    def close(self) -> None:
        self.http.close()
