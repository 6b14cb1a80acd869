"""A workflow's tests with sfini's pytest plugin: each runs the workflow on a local engine."""

import pytest

import sfini_cdk as sfini

shop = sfini.ActivityRegistration(prefix="shop")


@shop.activity("Reserve")
def reserve(order):
    if order["qty"] > 10:
        raise ValueError("not enough stock")
    return {"reserved": order["qty"]}


priced = sfini.Task("price", sfini.Lambda("pricing"), result_path="$.price")
priced.retry_for(["Lambda.TooManyRequestsException"], interval=2)
reserved = sfini.Task("reserve", reserve, result_path="$.stock")
refused = sfini.Fail("refuse", error="OutOfStock", cause="not enough stock")
priced.goes_to(reserved)
reserved.catch(["ValueError"], refused)
ordering = sfini.construct_state_machine("ordering", priced)


@pytest.fixture
def sfini_lambdas():  # the Lambda functions the engine runs, in-process
    return {"pricing": lambda event, context: event["qty"] * 3}


@pytest.fixture
def sfini_mock_config():  # Step Functions Local's format: test cases answer named states
    throttled = {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}}
    return {
        "StateMachines": {"ordering": {"TestCases": {"Throttled": {"price": "ThrottledOnce"}}}},
        "MockedResponses": {"ThrottledOnce": {"0": throttled, "1": {"Return": 60}}},
    }


def test_an_order_is_priced_and_reserved(sfini_run):
    result = sfini_run(ordering, {"qty": 2})
    result.assert_succeeded({"qty": 2, "price": 6, "stock": {"reserved": 2}})
    result.assert_path("price", "reserve")
    assert result.state("reserve").input == {"qty": 2, "price": 6}


def test_a_large_order_is_refused(sfini_run):
    result = sfini_run(ordering, {"qty": 50})
    result.assert_failed(error="OutOfStock")
    assert result.path == ["price", "reserve", "refuse"]


def test_a_throttled_price_is_retried(sfini_run):
    result = sfini_run(ordering, {"qty": 20}, test_case="Throttled")
    assert result.retries("price") == 1
    assert result.state("price").output == {"qty": 20, "price": 60}
