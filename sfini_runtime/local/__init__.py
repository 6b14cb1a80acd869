"""The local Step Functions engine: an ASL interpreter behind a Step Functions-compatible API."""
