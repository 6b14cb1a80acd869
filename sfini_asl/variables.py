"""Workflow variables in JSONPath expressions: whether a path, an intrinsic call or a Choice
Rule reads a variable (``$name``, outside quoted strings; ``$$`` is the context object), and
the same expression rewritten to read the variables from a context object instead
(``$name`` -> ``$$.__sfini_variables__.name``, ``$$`` -> ``$$.__sfini_context__``): the
spelling the local engine evaluates such expressions in, and the checker parses them in, so
both read a variable-reading Choice Rule alike."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = [
    "CONTEXT_KEY",
    "VARIABLES_KEY",
    "VARIABLE_REFERENCE",
    "has_variable_reference",
    "restore_text",
    "rewrite_rule",
    "rewrite_template",
    "rewrite_variable_references",
    "rule_reads_variables",
    "template_reads_variables",
    "unquoted_segments",
]

#: the members of the context object a rewritten expression reads the variables and the real
#: context object from
VARIABLES_KEY = "__sfini_variables__"
CONTEXT_KEY = "__sfini_context__"


def unquoted_segments(text: str) -> Iterator[tuple[bool, str]]:
    """(is_code, segment) pieces of ``text``; quoted strings ('...' or "...") are not code."""
    start = 0
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in "'\"":
            if start < index:
                yield True, text[start:index]
            quote = char
            end = index + 1
            while end < length and text[end] != quote:
                end += 2 if text[end] == "\\" else 1
            end = min(end + 1, length)
            yield False, text[index:end]
            start = index = end
            continue
        index += 1
    if start < length:
        yield True, text[start:]


#: ``$name`` (a variable) or ``$$`` (the context object), in code outside quoted strings
VARIABLE_REFERENCE = re.compile(r"\$(\$|[^\W\d]\w*)")


def has_variable_reference(expression: Any) -> bool:
    """Whether a JSONPath/intrinsic expression reads a variable (``$name``)."""
    if type(expression) is not str or "$" not in expression:
        return False
    for is_code, segment in unquoted_segments(expression):
        if is_code:
            for match in VARIABLE_REFERENCE.finditer(segment):
                if match.group(1) != "$":
                    return True
    return False


def template_reads_variables(template: Any) -> bool:
    """Whether a payload template's ``key.$`` members (nested ones too) read a variable."""
    if type(template) is dict:
        for key, value in template.items():
            if type(key) is str and key.endswith(".$"):
                if has_variable_reference(value):
                    return True
            elif template_reads_variables(value):
                return True
        return False
    if type(template) is list:
        return any(template_reads_variables(item) for item in template)
    return False


def rule_reads_variables(rule: Any, *, assign: bool = False) -> bool:
    """Whether a Choice Rule's ``Variable`` or ``...Path`` operands (nested rules' too) read a
    variable; with ``assign``, its ``Assign`` templates count too."""
    if type(rule) is not dict:
        return False
    for key, value in rule.items():
        if key in ("And", "Or") and type(value) is list:
            if any(rule_reads_variables(item, assign=assign) for item in value):
                return True
        elif key == "Not":
            if rule_reads_variables(value, assign=assign):
                return True
        elif key == "Assign":
            if assign and template_reads_variables(value):
                return True
        elif (key == "Variable" or key.endswith("Path")) and has_variable_reference(value):
            return True
    return False


def rewrite_variable_references(expression: str) -> str:
    """``$name`` -> ``$$.__sfini_variables__.name``, ``$$`` -> ``$$.__sfini_context__``."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "$":
            return f"$$.{CONTEXT_KEY}"
        return f"$$.{VARIABLES_KEY}.{name}"

    return "".join(
        VARIABLE_REFERENCE.sub(replace, segment) if is_code else segment
        for is_code, segment in unquoted_segments(expression)
    )


_RESTORE = (
    (f"$$.{VARIABLES_KEY}.", "$"),
    (f"$$.{CONTEXT_KEY}", "$$"),
    (f"$['{VARIABLES_KEY}']", "$"),
    (f"$['{CONTEXT_KEY}']", "$$"),
)


def restore_text(text: str | None) -> str | None:
    """``text`` with the user's ``$name`` / ``$$`` spellings back in place of the rewritten ones."""
    if text is None:
        return None
    for rewritten, original in _RESTORE:
        text = text.replace(rewritten, original)
    return text


def rewrite_template(node: Any) -> Any:
    """A copy of a payload template whose ``key.$`` expressions read the bound context."""
    if type(node) is dict:
        out = {}
        for key, value in node.items():
            if type(key) is str and key.endswith(".$") and type(value) is str:
                out[key] = rewrite_variable_references(value)
            else:
                out[key] = rewrite_template(value)
        return out
    if type(node) is list:
        return [rewrite_template(item) for item in node]
    return node


def rewrite_rule(rule: Any, *, assign: bool = False) -> Any:
    """A copy of a Choice Rule whose paths read the bound context (with ``assign``, its
    ``Assign`` templates too)."""
    if type(rule) is not dict:
        return rule
    out = {}
    for key, value in rule.items():
        if key in ("And", "Or") and type(value) is list:
            out[key] = [rewrite_rule(item, assign=assign) for item in value]
        elif key == "Not":
            out[key] = rewrite_rule(value, assign=assign)
        elif key == "Assign" and assign:
            out[key] = rewrite_template(value)
        elif (key == "Variable" or key.endswith("Path")) and type(value) is str:
            out[key] = rewrite_variable_references(value)
        else:
            out[key] = value
    return out
