"""The pricing function's asset folder (``pricing.handler``)."""
