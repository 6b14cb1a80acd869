"""The two query languages a state machine or state can use."""

from __future__ import annotations


class QueryLanguage:
    """Values of the ASL ``QueryLanguage`` field."""

    JSONPATH = "JSONPath"
    JSONATA = "JSONata"


QUERY_LANGUAGES: frozenset[str] = frozenset({QueryLanguage.JSONPATH, QueryLanguage.JSONATA})
