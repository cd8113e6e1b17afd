"""The standalone store's own ledger (exchanges.md): store credit codes and replacement shipments, kept in
this app's database since the orders file has no place for them."""
