"""Activities through boto3: create (idempotent by name), describe, list, delete, tags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sfini_runtime.local.service.helpers import unique


def test_create_describe_delete(sfn: Any, local: Any) -> None:
    name = unique("activity")
    created = sfn.create_activity(name=name)
    arn = created["activityArn"]
    assert arn == f"arn:aws:states:{local.region}:{local.account_id}:activity:{name}"
    assert isinstance(created["creationDate"], datetime)
    described = sfn.describe_activity(activityArn=arn)
    assert (described["activityArn"], described["name"]) == (arn, name)
    assert described["creationDate"] == created["creationDate"]
    sfn.delete_activity(activityArn=arn)
    with pytest.raises(ClientError) as caught:
        sfn.describe_activity(activityArn=arn)
    assert caught.value.response["Error"] == {
        "Code": "ActivityDoesNotExist",
        "Message": f"Activity Does Not Exist: '{arn}'",
    }
    sfn.delete_activity(activityArn=arn)  # deleting again is not an error, as on AWS


def test_create_is_idempotent_by_name_and_ignores_new_tags(sfn: Any) -> None:
    name = unique("activity")
    first = sfn.create_activity(name=name, tags=[{"key": "team", "value": "a"}])
    again = sfn.create_activity(name=name, tags=[{"key": "team", "value": "b"}])
    assert again["activityArn"] == first["activityArn"]
    assert again["creationDate"] == first["creationDate"]
    tags = sfn.list_tags_for_resource(resourceArn=first["activityArn"])["tags"]
    assert tags == [{"key": "team", "value": "a"}]


def test_list_paginates_in_creation_order(sfn: Any) -> None:
    arns = [sfn.create_activity(name=unique("listed"))["activityArn"] for _ in range(5)]
    pages = list(sfn.get_paginator("list_activities").paginate(PaginationConfig={"PageSize": 2}))
    listed = [item["activityArn"] for page in pages for item in page["activities"]]
    assert [arn for arn in listed if arn in arns] == arns
    assert all(len(page["activities"]) <= 2 for page in pages)
    assert len(pages) >= 3
    item = next(i for p in pages for i in p["activities"] if i["activityArn"] == arns[0])
    assert set(item) == {"activityArn", "name", "creationDate"}


def test_a_deleted_item_does_not_shift_the_next_page(sfn: Any) -> None:
    arns = [sfn.create_activity(name=unique("shift"))["activityArn"] for _ in range(3)]
    everything = sfn.list_activities(maxResults=1000)["activities"]
    start = [i["activityArn"] for i in everything].index(arns[0])
    first = sfn.list_activities(maxResults=start + 1)
    assert first["activities"][-1]["activityArn"] == arns[0]
    sfn.delete_activity(activityArn=arns[0])
    rest = sfn.list_activities(nextToken=first["nextToken"], maxResults=2)
    assert [i["activityArn"] for i in rest["activities"]] == arns[1:]


def test_tags_round_trip(sfn: Any) -> None:
    arn = sfn.create_activity(name=unique("tagged"))["activityArn"]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": ""}])
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "2"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["b", "never-set"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "a", "value": "2"}]


def test_more_than_fifty_tags_is_too_many(sfn: Any) -> None:
    arn = sfn.create_activity(name=unique("tagged"))["activityArn"]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(50)])
    with pytest.raises(ClientError) as caught:
        sfn.tag_resource(resourceArn=arn, tags=[{"key": "one-more", "value": "v"}])
    assert caught.value.response["Error"]["Code"] == "TooManyTags"
    assert len(sfn.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
    with pytest.raises(ClientError) as caught:
        sfn.create_activity(
            name=unique("tagged"), tags=[{"key": f"k{i}", "value": "v"} for i in range(51)]
        )
    assert caught.value.response["Error"]["Code"] == "TooManyTags"
