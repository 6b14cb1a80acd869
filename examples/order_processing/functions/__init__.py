"""The order-processing example's Lambda functions, one asset folder each."""
