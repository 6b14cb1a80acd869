"""Activities and ActivityRegistration."""

from __future__ import annotations

import pytest

import sfini_cdk as sfini
from tests.sfini_cdk.conftest import FakeSession


def test_registration_decorators_prefix_names_and_key_by_full_name():
    activities = sfini.ActivityRegistration(prefix="app1-")

    @activities.activity(name="add")
    def add(data):
        """Add a and b."""
        return data["a"] + data["b"]

    @activities.smart_activity()
    def greet(name, greeting="hello"):
        return f"{greeting} {name}"

    assert isinstance(add, sfini.CallableActivity)
    assert isinstance(greet, sfini.SmartCallableActivity)
    assert add.name == "app1-add"
    assert greet.name == "app1-greet"
    assert activities.activities == {"app1-add": add, "app1-greet": greet}
    assert add.heartbeat == 20
    assert add.__doc__ == "Add a and b."
    assert add.call_with({"a": 1, "b": 2}) == 3
    assert add({"a": 1, "b": 2}) == 3
    assert greet.call_with({"name": "bob", "unused": 1}) == "hello bob"
    assert greet("ann", greeting="hi") == "hi ann"


def test_activity_heartbeat_and_fn():
    def fn(data):
        return data

    activity = sfini.CallableActivity("x", fn, heartbeat=5)
    assert activity.fn is fn
    assert activity.heartbeat == 5
    assert activity.service == "activity"
    assert str(activity) == "x [activity]"


def test_duplicate_activity_names_are_rejected():
    activities = sfini.ActivityRegistration(prefix="p")
    activities.add_activity(sfini.Activity("pa"))
    with pytest.raises(sfini.DuplicateActivity, match="'pa' is already in the group"):
        activities.add_activity(sfini.Activity("pa"))
    with pytest.raises(ValueError):

        @activities.activity("a")
        def a(data):
            return data


def test_smart_activity_reports_missing_required_parameters():
    activities = sfini.ActivityRegistration(prefix="p")

    @activities.smart_activity("resize")
    def resize(image_dir, resized_image_dir, new_size=(64, 64), *, quality):
        return image_dir

    with pytest.raises(sfini.MissingActivityInput) as caught:
        resize.call_with({"image_dir": "a"})
    assert caught.value.missing == ["resized_image_dir", "quality"]
    assert str(caught.value) == (
        "activity 'presize': task input is missing required 'resized_image_dir', 'quality'"
    )
    assert isinstance(caught.value, TypeError)
    with pytest.raises(sfini.ActivityInputNotObject, match="JSON object"):
        resize.call_with([1, 2])


def test_smart_activity_with_var_keyword_gets_every_field():
    activity = sfini.SmartCallableActivity("k", lambda first, **rest: (first, rest))
    assert activity.call_with({"first": 1, "x": 2}) == (1, {"x": 2})


def test_explicit_session_is_passed_to_activities():
    session = FakeSession()
    activities = sfini.ActivityRegistration(prefix="p", session=session)

    @activities.activity()
    def act(data):
        return data

    assert activities.session is session
    assert act.session is session
    assert act.arn == "arn:aws:states:us-east-1:123456789012:activity:pact"
