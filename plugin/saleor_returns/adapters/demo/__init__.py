"""The embedded demo store: channels and orders from a JSON file, served as an OrderSource."""
