"""Our GraphQL API (strawberry): one module per area, union results, thin resolvers."""
