"""The local-only control API under /_pilothouse/: what the demo and the tests use to cause what AWS would cause on its own."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request, Response

from .autoscaling import fire_scaling
from .common import CONTROL_PREFIX, LOCK, Settings
from .ecs import FAILING_TASK_DEFINITIONS, forget_stopped_tasks, settle, task_exited
from .elbv2 import TARGET_HEALTH
from .requests_log import AWS_REQUESTS, WEB_IDENTITY_REQUESTS, requests_by_access_key


# ------------------------------------------------------------------ control API
def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, default=str), status=status, mimetype="application/json")


def control(request: Request) -> Response:
    route = request.path[len(CONTROL_PREFIX) :].strip("/")
    body = request.get_json(silent=True) or {}
    region = body.get("region", "us-east-1")
    try:
        if route == "health" and request.method == "GET":
            return json_response({"ok": True})
        if route == "requests" and request.method == "GET":
            with LOCK:
                return json_response({"byService": dict(AWS_REQUESTS), "total": sum(AWS_REQUESTS.values())})
        if route == "requests/by-access-key" and request.method == "GET":
            return json_response({"byAccessKey": requests_by_access_key()})
        if route == "sts/web-identity" and request.method == "GET":
            with LOCK:
                return json_response({"requests": list(WEB_IDENTITY_REQUESTS)})
        if request.method != "POST":
            return json_response({"error": "method not allowed"}, 405)
        if route == "ecs/settle":
            return json_response({"settled": settle()})
        if route == "ecs/task-exited":
            # The process standing in for a task exited: ECS stops the task and replaces it.
            with LOCK:
                found = task_exited(body["taskArn"], int(body.get("exitCode", 1)), body.get("reason"))
            return json_response({"stopped": found}, 200 if found else 404)
        if route == "ecs/forget-stopped-tasks":
            # What an hour does: ECS no longer lists tasks that stopped before then.
            with LOCK:
                return json_response({"forgotten": forget_stopped_tasks(float(body.get("olderThanSeconds", 0)))})
        if route == "ecs/failing-task-definition":
            arn = body["taskDefinitionArn"]
            with LOCK:
                if body.get("failing", True):
                    FAILING_TASK_DEFINITIONS[arn] = {k: body[k] for k in ("exitCode", "reason", "stoppedReason", "stopCode") if k in body}
                else:
                    FAILING_TASK_DEFINITIONS.pop(arn, None)
            return json_response({"failing": sorted(FAILING_TASK_DEFINITIONS)})
        if route == "settings":
            if "taskStepSeconds" in body:
                Settings.task_step_seconds = float(body["taskStepSeconds"])
            return json_response({"taskStepSeconds": Settings.task_step_seconds})
        if route == "elbv2/target-health":
            key = (body["targetGroupArn"], body["targetId"])
            with LOCK:
                if body["state"] == "healthy":
                    TARGET_HEALTH.pop(key, None)
                else:
                    TARGET_HEALTH[key] = (body["state"], body.get("reason"), body.get("description"))
            return json_response({"ok": True})
        if route == "autoscaling/fire":
            with LOCK:
                return json_response(
                    fire_scaling(region, body["resourceId"], int(body["desiredCount"]), body.get("cause", "manual"))
                )
        return json_response({"error": f"unknown control route {route}"}, 404)
    except (KeyError, ValueError, LookupError) as err:
        return json_response({"error": f"{type(err).__name__}: {err}"}, 400)
