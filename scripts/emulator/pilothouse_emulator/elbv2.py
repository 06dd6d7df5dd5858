"""Target health that can be made unhealthy (with ECS's reason and description) through the control API."""

from __future__ import annotations

from typing import Any

from moto.elbv2 import models as elbv2_models



# ------------------------------------------------------------------------ ELBv2
# (target group ARN, target id) -> (state, reason, description). No entry = moto's
# own answer, which is "healthy" for every registered target.
TARGET_HEALTH: dict[tuple[str, str], tuple[str, str | None, str | None]] = {}
original_health_for = elbv2_models.FakeTargetGroup.health_for


def health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
    status = original_health_for(self, target, ec2_backend)
    override = TARGET_HEALTH.get((self.arn, target["Id"]))
    if override and status.status == "healthy":
        status.status, status.reason, status.description = override
    return status


elbv2_models.FakeTargetGroup.health_for = health_for
