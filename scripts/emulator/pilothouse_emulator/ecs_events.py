"""ECS's EventBridge events, which moto never sends: "ECS Task State Change" when a task stops and
"ECS Deployment State Change" when a deployment starts, completes or fails, in the shapes the
ECS developer guide documents (Amazon ECS events). They go through moto's own EventBridge
backend, whose rules deliver them to their targets: the Terraform's (and the seed's) rules send
them to the cluster's /aws/events/.../ecs log group, the control plane's 30-day history.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from moto.events.models import events_backends

from .common import now


def iso(at: datetime | None) -> str | None:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if at else None


def put(service: Any, detail_type: str, resources: list[str], detail: dict[str, Any]) -> None:
    backend = service._backend
    events_backends[backend.account_id][backend.region_name].put_events(
        [{"Source": "aws.ecs", "DetailType": detail_type, "Resources": resources, "Detail": json.dumps(detail)}]
    )


def task_stopped(service: Any, task: Any) -> None:
    put(
        service,
        "ECS Task State Change",
        [task.task_arn],
        {
            "clusterArn": task.cluster_arn,
            "taskArn": task.task_arn,
            "taskDefinitionArn": task.task_definition_arn,
            "group": task.group,
            "startedBy": task.started_by,
            "launchType": task.launch_type,
            "lastStatus": "STOPPED",
            "desiredStatus": "STOPPED",
            "stopCode": task.stop_code,
            "stoppedReason": task.stopped_reason,
            "createdAt": iso(getattr(task, "started_at", None)),
            "startedAt": iso(getattr(task, "started_at", None)),
            "stoppingAt": iso(task.stopping_at),
            "stoppedAt": iso(task.stopped_at),
            "updatedAt": iso(now()),
            "containers": [
                {
                    "containerArn": getattr(c, "container_arn", None),
                    "name": c.name,
                    "lastStatus": "STOPPED",
                    "exitCode": c.exitCode,
                    "reason": c.reason,
                    "taskArn": task.task_arn,
                }
                for c in task.containers
            ],
            "version": 3,
        },
    )


# Deployment events: eventType INFO or ERROR, and the eventName of the deployment's new state.
DEPLOYMENT_EVENT_TYPES = {
    "SERVICE_DEPLOYMENT_IN_PROGRESS": "INFO",
    "SERVICE_DEPLOYMENT_COMPLETED": "INFO",
    "SERVICE_DEPLOYMENT_FAILED": "ERROR",
}


def deployment_changed(service: Any, deployment: dict[str, Any], event_name: str, reason: str) -> None:
    put(
        service,
        "ECS Deployment State Change",
        [service.arn],
        {
            "eventType": DEPLOYMENT_EVENT_TYPES[event_name],
            "eventName": event_name,
            "deploymentId": deployment["id"],
            "updatedAt": iso(now()),
            "reason": reason,
        },
    )
