"""The JSONata query language of the interpreter.

``"{% ... %}"`` expressions and templates (Step Functions' dialect), a JSONata state's data
flow (Arguments, Output, Assign and the expression-valued fields), and what JSONata Task,
Parallel and Map states share for their results and catchers.
"""
