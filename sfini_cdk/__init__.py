"""Define AWS Step Functions workflows and activities as Python objects; deploy them with the CDK."""

from __future__ import annotations
