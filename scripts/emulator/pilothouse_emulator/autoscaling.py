"""Application Auto Scaling: DescribeScalingActivities (absent in moto), and a policy "firing" through the control API."""

from __future__ import annotations

import json
import uuid
from typing import Any

from moto.applicationautoscaling import models as aas_models
from moto.applicationautoscaling import responses as aas_responses
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ecs import models as ecs_models

from .common import now


# ----------------------------------------------------------- Application Auto Scaling
def record_scaling_activity(backend: Any, activity: dict[str, Any]) -> None:
    activities = backend.__dict__.setdefault("ph_activities", [])
    activities.insert(0, activity)


def describe_scaling_activities(self: Any) -> str:
    namespace = self._get_param("ServiceNamespace")
    resource_id = self._get_param("ResourceId")
    dimension = self._get_param("ScalableDimension")
    max_results = self._get_int_param("MaxResults") or 50
    start = int(self._get_param("NextToken") or 0)
    activities = [
        a
        for a in getattr(self.applicationautoscaling_backend, "ph_activities", [])
        if a["ServiceNamespace"] == namespace
        and (not resource_id or a["ResourceId"] == resource_id)
        and (not dimension or a["ScalableDimension"] == dimension)
    ]
    page = activities[start : start + max_results]
    next_token = str(start + max_results) if len(activities) > start + max_results else None
    body: dict[str, Any] = {
        "ScalingActivities": [
            {**a, "StartTime": a["StartTime"].timestamp(), "EndTime": a["EndTime"].timestamp()} for a in page
        ]
    }
    if next_token:
        body["NextToken"] = next_token
    return json.dumps(body)


aas_responses.ApplicationAutoScalingResponse.describe_scaling_activities = describe_scaling_activities


def fire_scaling(region: str, resource_id: str, desired: int, cause: str) -> dict[str, Any]:
    """What a policy's alarm does: clamp to the scalable target's bounds, set the
    ECS desired count, record the activity with its cause."""
    aas = aas_models.applicationautoscaling_backends[DEFAULT_ACCOUNT_ID][region]
    dimension = "ecs:service:DesiredCount"
    target = aas.targets.get(dimension, {}).get(resource_id)
    if target is None:
        raise LookupError(f"no scalable target {resource_id}")
    clamped = max(target.min_capacity, min(target.max_capacity, desired))
    _, cluster, service_name = resource_id.split("/")
    ecs = ecs_models.ecs_backends[DEFAULT_ACCOUNT_ID][region]
    ecs.update_service({"cluster": cluster, "service": service_name, "desired_count": clamped})
    started = now()
    activity = {
        "ActivityId": str(uuid.uuid4()),
        "ServiceNamespace": "ecs",
        "ResourceId": resource_id,
        "ScalableDimension": dimension,
        "Description": f"Setting desired count to {clamped}.",
        "Cause": cause,
        "StartTime": started,
        "EndTime": started,
        "StatusCode": "Successful",
        "StatusMessage": f"Successfully set desired count to {clamped}. Change successfully fulfilled by ecs.",
    }
    record_scaling_activity(aas, activity)
    return {"activityId": activity["ActivityId"], "desiredCount": clamped}
