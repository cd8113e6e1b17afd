"""Storage: SQLAlchemy models, the engine, and the unit of work (one transaction per use case)."""
