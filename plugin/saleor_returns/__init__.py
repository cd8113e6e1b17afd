"""saleor-returns: self-service returns for Saleor stores."""

__version__ = "0.1.0"
