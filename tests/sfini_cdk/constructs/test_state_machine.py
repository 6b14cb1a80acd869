"""The StateMachine construct: definition string, substitutions, IAM, options, bad input."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn

import sfini_cdk as sfini
from sfini_cdk.constructs import (
    Activities,
    DuplicateActivityName,
    InvalidConstructOption,
    InvalidResourceName,
    LogOptions,
    StateMachine,
    UnknownActivity,
    UnsupportedByWorkflowType,
    UnsupportedTaskResource,
)
from sfini_cdk.errors import InvalidDefinition
from tests.sfini_cdk.constructs.conftest import (
    only,
    registration,
    resources_of,
    role_statements,
    template_of,
)

EXISTING_FUNCTION = "arn:aws:lambda:eu-west-1:123456789012:function:existing"
EXISTING_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:existing"


def partition_arn(service: str, resource: str) -> dict[str, Any]:
    """The Fn::Join CDK writes for an ARN in the stack's partition, region and account."""
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                f":{service}:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                f":{resource}",
            ],
        ]
    }


def machine_resource(stack: cdk.Stack) -> dict[str, Any]:
    """The one state machine's properties, with the definition parsed."""
    properties = dict(only(resources_of(stack, "AWS::StepFunctions::StateMachine"))["Properties"])
    assert isinstance(properties["DefinitionString"], str)  # plain JSON, never Fn::Join
    properties["Definition"] = json.loads(properties["DefinitionString"])
    return properties


def one_task(resource: object, name: str = "work", **options: Any) -> sfini.StateMachine:
    return sfini.construct_state_machine(name + "SM", sfini.Task(name, resource), **options)


# --- definition and substitutions ---------------------------------------------------------------


def test_definition_is_the_models_asl_with_activity_placeholders(stack: cdk.Stack) -> None:
    acts = registration("app-", "add")
    sm = one_task(acts.activities["app-add"], timeout=300, comment="adds")
    activities = Activities(stack, "Acts", acts)
    construct = StateMachine(stack, "SM", sm, activities=activities)

    properties = machine_resource(stack)
    assert properties["StateMachineName"] == "workSM"
    assert properties["StateMachineType"] == "STANDARD"
    assert properties["Definition"] == {
        "Comment": "adds",
        "StartAt": "work",
        "States": {
            "work": {
                "Type": "Task",
                "Resource": "${Activityappadd}",
                "End": True,
                "HeartbeatSeconds": 25,
            }
        },
        "TimeoutSeconds": 300,
    }
    assert properties["DefinitionSubstitutions"] == {
        "Activityappadd": stack.resolve(activities.arn_of("app-add"))
    }
    assert construct.definition_json == properties["DefinitionString"]
    # An activity task needs no permission: the role gets no policy at all.
    assert resources_of(stack, "AWS::IAM::Policy") == {}
    role = only(resources_of(stack, "AWS::IAM::Role"))
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "states.amazonaws.com"},
        }
    ]


def test_activity_deployed_in_the_same_stack_is_found_without_being_passed(
    stack: cdk.Stack,
) -> None:
    acts = registration("p", "a")
    activities = Activities(stack, "Acts", acts)
    StateMachine(stack, "SM", one_task(acts.activities["pa"]))
    assert machine_resource(stack)["DefinitionSubstitutions"] == {
        "Activitypa": stack.resolve(activities.arn_of("pa"))
    }


def test_activity_deployed_elsewhere_is_referenced_by_name(stack: cdk.Stack) -> None:
    StateMachine(stack, "SM", one_task(sfini.Activity("elsewhere")))
    assert machine_resource(stack)["DefinitionSubstitutions"] == {
        "Activityelsewhere": partition_arn("states", "activity:elsewhere")
    }


def test_a_prefixed_machine_finds_activities_deployed_under_its_prefix(stack: cdk.Stack) -> None:
    acts = registration("p", "a")
    activities = Activities(stack, "Acts", acts, name_prefix="dev-")
    StateMachine(stack, "SM", one_task(acts.activities["pa"]), name_prefix="dev-")

    machine = machine_resource(stack)
    assert machine["StateMachineName"] == "dev-workSM"
    assert machine["DefinitionSubstitutions"] == {
        "Activitypa": stack.resolve(activities.arn_of("pa"))
    }
    (activity,) = resources_of(stack, "AWS::StepFunctions::Activity").values()
    assert activity["Properties"]["Name"] == "dev-pa"


def test_a_prefixed_machine_references_activities_elsewhere_under_its_prefix(
    stack: cdk.Stack,
) -> None:
    StateMachine(stack, "SM", one_task(sfini.Activity("elsewhere")), name_prefix="dev-")
    assert machine_resource(stack)["DefinitionSubstitutions"] == {
        "Activityelsewhere": partition_arn("states", "activity:dev-elsewhere")
    }


def test_lambda_names_do_not_take_the_prefix(stack: cdk.Stack) -> None:
    StateMachine(stack, "SM", one_task(sfini.Lambda("f")), name_prefix="dev-")
    assert machine_resource(stack)["DefinitionSubstitutions"] == {
        "Functionf": partition_arn("lambda", "function:f")
    }


def test_one_activity_name_under_two_prefixes_fits_in_one_stack(stack: cdk.Stack) -> None:
    acts = registration("p", "a")
    dev = Activities(stack, "Dev", acts, name_prefix="dev-")
    prod = Activities(stack, "Prod", acts, name_prefix="prod-")
    assert stack.resolve(dev.arn_of("pa")) != stack.resolve(prod.arn_of("pa"))
    names = {
        r["Properties"]["Name"]
        for r in resources_of(stack, "AWS::StepFunctions::Activity").values()
    }
    assert names == {"dev-pa", "prod-pa"}


def test_every_task_placeholder_has_a_substitution_in_branches_too(stack: cdk.Stack) -> None:
    acts = registration("p", "a", "b")
    left = sfini.construct_state_machine("left", sfini.Task("ta", acts.activities["pa"]))
    right = sfini.construct_state_machine("right", sfini.Task("tb", acts.activities["pb"]))
    parallel = sfini.Parallel("both")
    parallel.add(left)
    parallel.add(right)
    Activities(stack, "Acts", acts)
    StateMachine(stack, "SM", sfini.construct_state_machine("branches", parallel))

    properties = machine_resource(stack)
    branches = properties["Definition"]["States"]["both"]["Branches"]
    assert [b["States"][n]["Resource"] for b, n in zip(branches, ("ta", "tb"), strict=True)] == [
        "${Activitypa}",
        "${Activitypb}",
    ]
    assert set(properties["DefinitionSubstitutions"]) == {"Activitypa", "Activitypb"}


# --- IAM -----------------------------------------------------------------------------------------


def test_sfini_lambda_gets_invoke_on_exactly_it_and_its_versions(stack: cdk.Stack) -> None:
    StateMachine(stack, "SM", one_task(sfini.Lambda("resize")))

    properties = machine_resource(stack)
    assert properties["Definition"]["States"]["work"]["Resource"] == "${Functionresize}"
    arn = partition_arn("lambda", "function:resize")
    assert properties["DefinitionSubstitutions"] == {"Functionresize": arn}
    assert role_statements(stack) == [
        {
            "Action": "lambda:InvokeFunction",
            "Effect": "Allow",
            "Resource": [arn, partition_arn("lambda", "function:resize:*")],
        }
    ]


def test_cdk_function_is_accepted_and_invoked(stack: cdk.Stack) -> None:
    function = lambda_.Function.from_function_arn(stack, "Fn", EXISTING_FUNCTION)
    StateMachine(stack, "SM", one_task(function))

    properties = machine_resource(stack)
    assert properties["DefinitionSubstitutions"] == {"FunctionFn": EXISTING_FUNCTION}
    assert role_statements(stack) == [
        {
            "Action": "lambda:InvokeFunction",
            "Effect": "Allow",
            "Resource": [EXISTING_FUNCTION, EXISTING_FUNCTION + ":*"],
        }
    ]


def test_cdk_activity_is_accepted_without_permissions(stack: cdk.Stack) -> None:
    activity = sfn.Activity(stack, "Act", activity_name="cdkActivity")
    StateMachine(stack, "SM", one_task(activity))
    assert machine_resource(stack)["DefinitionSubstitutions"] == {
        "ActivityAct": stack.resolve(activity.activity_arn)
    }
    assert role_statements(stack) == []


def test_nested_sync_machine_gets_start_track_stop_and_the_events_rule(stack: cdk.Stack) -> None:
    child_sm = sfini.construct_state_machine("child", sfini.Pass("p"))
    child = StateMachine(stack, "Child", child_sm)
    parent_sm = one_task(sfini.StateMachineResource(child_sm), name="run")
    StateMachine(stack, "Parent", parent_sm)

    parent = next(
        r["Properties"]
        for r in resources_of(stack, "AWS::StepFunctions::StateMachine").values()
        if r["Properties"]["StateMachineName"] == "runSM"
    )
    definition = json.loads(parent["DefinitionString"])
    assert definition["States"]["run"]["Resource"] == "${IntegrationstatesstartExecutionsync2}"
    assert definition["States"]["run"]["Parameters"] == {"StateMachineArn": "${StateMachinechild}"}
    assert parent["DefinitionSubstitutions"] == {
        "IntegrationstatesstartExecutionsync2": {
            "Fn::Join": [
                "",
                ["arn:", {"Ref": "AWS::Partition"}, ":states:::states:startExecution.sync:2"],
            ]
        },
        "StateMachinechild": stack.resolve(child.state_machine_arn),
    }
    assert role_statements(stack) == [
        {
            "Action": "states:StartExecution",
            "Effect": "Allow",
            "Resource": stack.resolve(child.state_machine_arn),
        },
        {
            "Action": ["states:DescribeExecution", "states:StopExecution"],
            "Effect": "Allow",
            "Resource": partition_arn("states", "execution:child:*"),
        },
        {
            "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            "Effect": "Allow",
            "Resource": partition_arn(
                "events", "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
            ),
        },
    ]


def test_nested_fire_and_forget_machine_gets_only_start(stack: cdk.Stack) -> None:
    imported = sfn.StateMachine.from_state_machine_arn(stack, "Existing", EXISTING_MACHINE)
    resource = sfini.StateMachineResource(imported, integration=None)
    StateMachine(stack, "SM", one_task(resource))

    assert machine_resource(stack)["DefinitionSubstitutions"]["StateMachineExisting"] == (
        EXISTING_MACHINE
    )
    assert role_statements(stack) == [
        {"Action": "states:StartExecution", "Effect": "Allow", "Resource": EXISTING_MACHINE}
    ]


def test_activity_with_customer_managed_key_lets_the_machine_use_the_key(
    stack: cdk.Stack,
) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    acts = registration("p", "a")
    activities = Activities(stack, "Acts", acts, encryption_key=key)
    StateMachine(stack, "SM", one_task(acts.activities["pa"]), activities=activities)

    assert role_statements(stack) == [
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Condition": {
                "StringEquals": {
                    "kms:EncryptionContext:aws:states:activityArn": [
                        stack.resolve(activities.arn_of("pa"))
                    ]
                }
            },
            "Effect": "Allow",
            "Resource": stack.resolve(key.key_arn),
        }
    ]


def test_logging_and_tracing_add_their_statements_only_when_enabled(stack: cdk.Stack) -> None:
    StateMachine(
        stack,
        "SM",
        one_task(sfini.Activity("a")),
        logs=LogOptions(level="ERROR", include_execution_data=True),
        tracing=True,
    )

    properties = machine_resource(stack)
    log_group_id, log_group = next(iter(resources_of(stack, "AWS::Logs::LogGroup").items()))
    assert log_group["Properties"]["LogGroupName"] == "/aws/vendedlogs/states/workSM"
    assert properties["LoggingConfiguration"] == {
        "Destinations": [
            {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": [log_group_id, "Arn"]}}}
        ],
        "IncludeExecutionData": True,
        "Level": "ERROR",
    }
    assert properties["TracingConfiguration"] == {"Enabled": True}
    statements = role_statements(stack)
    assert [s["Resource"] for s in statements] == ["*", "*"]
    assert statements[0]["Action"][0] == "logs:CreateLogDelivery"
    assert statements[1]["Action"] == [
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
    ]


def test_log_destination_given_is_used(stack: cdk.Stack) -> None:
    group = logs.LogGroup(stack, "Mine", retention=logs.RetentionDays.ONE_WEEK)
    StateMachine(stack, "SM", one_task(sfini.Activity("a")), logs=LogOptions(destination=group))
    assert len(resources_of(stack, "AWS::Logs::LogGroup")) == 1
    destination = machine_resource(stack)["LoggingConfiguration"]["Destinations"][0]
    assert destination["CloudWatchLogsLogGroup"]["LogGroupArn"] == stack.resolve(
        group.log_group_arn
    )


def test_role_given_is_used_as_it_is(stack: cdk.Stack) -> None:
    role = iam.Role.from_role_arn(
        stack, "Given", "arn:aws:iam::123456789012:role/mine", mutable=False
    )
    StateMachine(stack, "SM", one_task(sfini.Lambda("f")), role=role, tracing=True)

    assert machine_resource(stack)["RoleArn"] == "arn:aws:iam::123456789012:role/mine"
    assert resources_of(stack, "AWS::IAM::Role") == {}
    assert resources_of(stack, "AWS::IAM::Policy") == {}


# --- options -------------------------------------------------------------------------------------


def test_express_type_removal_policy_and_tags(stack: cdk.Stack) -> None:
    StateMachine(
        stack,
        "SM",
        one_task(sfini.Lambda("f")),
        type="EXPRESS",
        removal_policy=cdk.RemovalPolicy.RETAIN,
        tags={"team": "data"},
    )
    resource = only(resources_of(stack, "AWS::StepFunctions::StateMachine"))
    assert resource["Properties"]["StateMachineType"] == "EXPRESS"
    assert resource["DeletionPolicy"] == "Retain"
    assert {"Key": "team", "Value": "data"} in resource["Properties"]["Tags"]
    role = only(resources_of(stack, "AWS::IAM::Role"))
    assert {"Key": "team", "Value": "data"} in role["Properties"]["Tags"]


def test_default_removal_policy_deletes(stack: cdk.Stack) -> None:
    StateMachine(stack, "SM", one_task(sfini.Lambda("f")))
    assert only(resources_of(stack, "AWS::StepFunctions::StateMachine"))["DeletionPolicy"] == (
        "Delete"
    )


def test_exposes_the_cdk_state_machine_for_grants_and_metrics(stack: cdk.Stack) -> None:
    construct = StateMachine(stack, "SM", one_task(sfini.Lambda("f")))
    caller = iam.Role(stack, "Caller", assumed_by=iam.AccountRootPrincipal())

    construct.grant_start_execution(caller)
    metric = construct.metric_failed()

    arn = stack.resolve(construct.state_machine_arn)
    assert stack.resolve(construct.state_machine.state_machine_arn) == arn
    assert arn == {"Ref": next(iter(resources_of(stack, "AWS::StepFunctions::StateMachine")))}
    assert {"Action": "states:StartExecution", "Effect": "Allow", "Resource": arn} in (
        role_statements(stack)
    )
    assert metric.metric_name == "ExecutionsFailed"
    assert stack.resolve(metric.dimensions["StateMachineArn"]) == arn


# --- bad input -----------------------------------------------------------------------------------


def test_invalid_definition_fails_with_the_models_message_before_jsii(stack: cdk.Stack) -> None:
    task = sfini.Task("work", sfini.Lambda("f"))
    sm = sfini.construct_state_machine("broken", task)
    task.timeout = -5  # made invalid after construction

    with pytest.raises(InvalidDefinition, match="TimeoutSeconds") as raised:
        StateMachine(stack, "SM", sm)
    assert raised.value.state_name == "work"
    assert template_of(stack).get("Resources", {}) == {}


def test_state_machine_name_over_80_characters_is_rejected_naming_it(stack: cdk.Stack) -> None:
    name = "m" * 81
    with pytest.raises(InvalidResourceName, match=f"{name!r} is 81 characters"):
        StateMachine(stack, "SM", sfini.construct_state_machine(name, sfini.Pass("p")))


def test_unsupported_task_resource_names_the_state_and_the_type(stack: cdk.Stack) -> None:
    with pytest.raises(UnsupportedTaskResource, match=r"'work'.*builtins\.dict") as raised:
        StateMachine(stack, "SM", one_task({"not": "a resource"}))
    assert raised.value.state_name == "work"


def test_state_machine_as_direct_task_resource_points_to_state_machine_resource(
    stack: cdk.Stack,
) -> None:
    inner = sfini.construct_state_machine("inner", sfini.Pass("p"))
    with pytest.raises(UnsupportedTaskResource, match="StateMachineResource"):
        StateMachine(stack, "SM", one_task(inner))


@pytest.mark.parametrize(
    ("resource", "problem"),
    [
        (sfini.Activity("a"), "EXPRESS workflows do not support activities"),
        (
            sfini.StateMachineResource(EXISTING_MACHINE),
            "sync integration pattern",
        ),
    ],
    ids=["activity", "sync"],
)
def test_express_rejects_what_express_cannot_run(
    stack: cdk.Stack, resource: object, problem: str
) -> None:
    with pytest.raises(UnsupportedByWorkflowType, match=problem) as raised:
        StateMachine(stack, "SM", one_task(resource), type="EXPRESS")
    assert raised.value.state_name == "work"


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"type": "STANDARDISH"}, "STANDARD, EXPRESS"),
        ({"logs": LogOptions(level="VERBOSE")}, "ALL, ERROR, FATAL, OFF"),
    ],
)
def test_bad_options_are_rejected(stack: cdk.Stack, options: dict[str, Any], problem: str) -> None:
    with pytest.raises(InvalidConstructOption, match=problem):
        StateMachine(stack, "SM", one_task(sfini.Lambda("f")), **options)


def test_activity_missing_from_the_activities_given_names_state_and_activity(
    stack: cdk.Stack,
) -> None:
    activities = Activities(stack, "Acts", registration("p", "a"))
    with pytest.raises(UnknownActivity, match=r"'work'.*'other'") as raised:
        StateMachine(stack, "SM", one_task(sfini.Activity("other")), activities=activities)
    assert raised.value.state_name == "work"


def test_different_activity_under_a_deployed_name_is_rejected(stack: cdk.Stack) -> None:
    activities = Activities(stack, "Acts", registration("p", "a"))
    impostor = sfini.Activity("pa")
    with pytest.raises(DuplicateActivityName, match="'pa'"):
        StateMachine(stack, "SM", one_task(impostor), activities=activities)


def test_two_state_machines_with_one_name_in_a_stack_are_rejected(stack: cdk.Stack) -> None:
    StateMachine(stack, "One", one_task(sfini.Lambda("f")))
    with pytest.raises(InvalidDefinition, match="'workSM'"):
        StateMachine(stack, "Two", one_task(sfini.Lambda("g")))


def test_statements_for_other_integrations_can_be_added_to_the_created_role(
    stack: cdk.Stack,
) -> None:
    queue = sfini.ServiceIntegration("sqs", "sendMessage")
    construct = StateMachine(stack, "SM", one_task(queue))
    statement = iam.PolicyStatement(
        actions=["sqs:SendMessage"], resources=["arn:aws:sqs:eu-west-1:123456789012:q"]
    )
    construct.add_to_role_policy(statement)

    assert machine_resource(stack)["Definition"]["States"]["work"]["Resource"] == (
        "${IntegrationsqssendMessage}"
    )
    assert role_statements(stack) == [
        {
            "Action": "sqs:SendMessage",
            "Effect": "Allow",
            "Resource": "arn:aws:sqs:eu-west-1:123456789012:q",
        }
    ]


def test_a_role_passed_in_gets_no_statement_added(stack: cdk.Stack) -> None:
    role = iam.Role.from_role_arn(stack, "Given", "arn:aws:iam::123456789012:role/mine")
    construct = StateMachine(stack, "SM", one_task(sfini.Lambda("f")), role=role)
    with pytest.raises(InvalidConstructOption, match="passed in"):
        construct.add_to_role_policy(iam.PolicyStatement(actions=["sqs:*"], resources=["*"]))


def _policy_logical_id(stack: cdk.Stack) -> str:
    policies = resources_of(stack, "AWS::IAM::Policy")
    assert len(policies) == 1, list(policies)
    return next(iter(policies))


def test_the_machine_is_created_after_the_statements_it_needs(stack: cdk.Stack) -> None:
    StateMachine(stack, "SM", one_task(sfini.Lambda("f")))

    machine = only(resources_of(stack, "AWS::StepFunctions::StateMachine"))
    assert _policy_logical_id(stack) in machine["DependsOn"]


def test_the_machine_is_created_after_statements_added_later(stack: cdk.Stack) -> None:
    construct = StateMachine(stack, "SM", one_task(sfini.ServiceIntegration("sqs", "sendMessage")))
    assert construct.role.node.try_find_child("DefaultPolicy") is None  # nothing derived

    construct.add_to_role_policy(
        iam.PolicyStatement(actions=["sqs:SendMessage"], resources=["arn:aws:sqs:::q"])
    )

    machine = only(resources_of(stack, "AWS::StepFunctions::StateMachine"))
    assert _policy_logical_id(stack) in machine["DependsOn"]


def test_cdk_grants_and_metrics_act_on_the_deployed_machine(stack: cdk.Stack) -> None:
    construct = StateMachine(stack, "SM", one_task(sfini.Activity("a")))
    user = iam.User(stack, "User")

    construct.grant_start_execution(user)
    metric = construct.metric_failed()  # forwarded to the IStateMachine

    machine_id = next(iter(resources_of(stack, "AWS::StepFunctions::StateMachine")))
    assert construct.state_machine is construct.state_machine
    assert role_statements(stack) == [
        {"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": machine_id}}
    ]
    assert metric.metric_name == "ExecutionsFailed"
    assert stack.resolve(metric.dimensions) == {"StateMachineArn": {"Ref": machine_id}}
