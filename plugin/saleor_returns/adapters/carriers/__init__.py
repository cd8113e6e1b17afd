"""Label carriers: adapters that implement the LabelCarrier port."""
