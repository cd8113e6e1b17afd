"""HTTP-facing pieces of the app (routes, signed download links)."""
