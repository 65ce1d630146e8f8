"""Item pipelines: one module each, in the order data flows (extract, then text)."""
