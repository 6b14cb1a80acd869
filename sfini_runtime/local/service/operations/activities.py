"""Activities: Create/Describe/List/Delete, GetActivityTask and the SendTask* callbacks."""

from __future__ import annotations

from sfini_runtime.arns import ACTIVITY, parse_states_arn
from sfini_runtime.local.service.operations.context import ServiceContext
from sfini_runtime.local.service.operations.registry import Request, Response, operation
from sfini_runtime.local.service.operations.tags import merged_tags
from sfini_runtime.local.service.pagination import paginate
from sfini_runtime.local.service.store import Activity, now
from sfini_runtime.local.service.validation import check_name


@operation("CreateActivity")
def create_activity(service: ServiceContext, request: Request) -> Response:
    name = request["name"]
    check_name(name)
    arn = service.arns.activity(name)
    with service.store.lock:
        activity = service.store.activities.get(arn)
        if activity is None:  # idempotent by name; tags of a repeated call are ignored
            tags = merged_tags({}, request.get("tags") or [], arn)
            activity = Activity(arn, name, now(), service.store.next_sequence(), tags)
            service.store.activities[arn] = activity
    return {"activityArn": activity.arn, "creationDate": activity.creation_date}


@operation("DescribeActivity")
def describe_activity(service: ServiceContext, request: Request) -> Response:
    parse_states_arn(request["activityArn"], ACTIVITY)
    activity = service.store.activity(request["activityArn"])
    return {
        "activityArn": activity.arn,
        "name": activity.name,
        "creationDate": activity.creation_date,
    }


@operation("ListActivities")
def list_activities(service: ServiceContext, request: Request) -> Response:
    with service.store.lock:
        activities = sorted(service.store.activities.values(), key=lambda a: a.sequence)
    page, token = paginate(activities, lambda a: a.sequence, request, "ListActivities")
    response: Response = {
        "activities": [
            {"activityArn": a.arn, "name": a.name, "creationDate": a.creation_date} for a in page
        ]
    }
    if token:
        response["nextToken"] = token
    return response


@operation("DeleteActivity")
def delete_activity(service: ServiceContext, request: Request) -> Response:
    parse_states_arn(request["activityArn"], ACTIVITY)
    with service.store.lock:
        service.store.activities.pop(request["activityArn"], None)
    return {}


@operation("GetActivityTask")
def get_activity_task(service: ServiceContext, request: Request) -> Response:
    arn = request["activityArn"]
    parse_states_arn(arn, ACTIVITY)
    service.store.activity(arn)
    with service.pollers.polling(arn):
        task = service.engine.get_activity_task(
            arn, request.get("workerName"), wait_seconds=service.activity_poll_seconds
        )
    if task is None:
        return {}
    token, task_input = task
    return {"taskToken": token, "input": task_input}


@operation("SendTaskSuccess")
def send_task_success(service: ServiceContext, request: Request) -> Response:
    service.engine.send_task_success(request["taskToken"], request["output"])
    return {}


@operation("SendTaskFailure")
def send_task_failure(service: ServiceContext, request: Request) -> Response:
    service.engine.send_task_failure(
        request["taskToken"], error=request.get("error"), cause=request.get("cause")
    )
    return {}


@operation("SendTaskHeartbeat")
def send_task_heartbeat(service: ServiceContext, request: Request) -> Response:
    service.engine.send_task_heartbeat(request["taskToken"])
    return {}
