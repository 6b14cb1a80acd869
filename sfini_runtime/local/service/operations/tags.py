"""TagResource, UntagResource, ListTagsForResource (activities and state machines)."""

from __future__ import annotations

from typing import Any

from sfini_runtime.arns import ACTIVITY, STATE_MACHINE, parse_states_arn
from sfini_runtime.local.errors import ResourceNotFound, TooManyTags, ValidationException
from sfini_runtime.local.service.operations.context import ServiceContext
from sfini_runtime.local.service.operations.registry import Request, Response, operation
from sfini_runtime.local.service.store import MAX_TAGS


def merged_tags(
    current: dict[str, str], tag_list: list[dict[str, Any]], arn: str
) -> dict[str, str]:
    """``current`` with ``tag_list`` applied; ``TooManyTags`` past AWS's 50 tags."""
    tags = dict(current)
    for index, tag in enumerate(tag_list, start=1):
        if tag.get("key") is None:  # botocore's model leaves the key optional; AWS does not
            raise ValidationException(
                f"1 validation error detected: Value null at 'tags.{index}.member.key' "
                "failed to satisfy constraint: Member must not be null"
            )
        tags[tag["key"]] = tag.get("value") or ""
    if len(tags) > MAX_TAGS:
        error = TooManyTags(f"Too many tags for resource: '{arn}' (at most {MAX_TAGS})")
        error.extra = {"resourceName": arn}
        raise error
    return tags


def as_tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in tags.items()]


def _tagged(service: ServiceContext, arn: str) -> Any:
    parse_states_arn(arn, ACTIVITY, STATE_MACHINE)
    resource = service.store.activities.get(arn) or service.store.state_machines.get(arn)
    if resource is None:
        error = ResourceNotFound(f"Resource not found: '{arn}'")
        error.extra = {"resourceName": arn}
        raise error
    return resource


@operation("TagResource")
def tag_resource(service: ServiceContext, request: Request) -> Response:
    with service.store.lock:
        resource = _tagged(service, request["resourceArn"])
        resource.tags = merged_tags(resource.tags, request["tags"], request["resourceArn"])
    return {}


@operation("UntagResource")
def untag_resource(service: ServiceContext, request: Request) -> Response:
    with service.store.lock:
        resource = _tagged(service, request["resourceArn"])
        for key in request["tagKeys"]:
            resource.tags.pop(key, None)
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(service: ServiceContext, request: Request) -> Response:
    with service.store.lock:
        resource = _tagged(service, request["resourceArn"])
        return {"tags": as_tag_list(resource.tags)}
