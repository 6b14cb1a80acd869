"""The JSONPath query language of the interpreter.

Per-state data flow (InputPath, Parameters, ResultSelector, ResultPath, OutputPath), payload
templates, intrinsic function bodies, choice rules, and the rewriting of a state's JSONPath
fields that read workflow variables (``$name``).
"""
