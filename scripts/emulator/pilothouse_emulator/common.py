"""Shared by every patch: one lock for every model mutation, the rollout speed, the clock."""

from __future__ import annotations

import os
import threading
from datetime import datetime, timezone


CONTROL_PREFIX = "/_pilothouse/"

# One lock for every model mutation we make: moto's server is threaded, and our
# ticker thread changes services while requests read them.
LOCK = threading.RLock()


class Settings:
    # Seconds for one task to start or stop during a rollout; a 2-task deployment
    # completes in about 3 steps. Real Fargate takes a minute or more per step.
    task_step_seconds: float = float(os.environ.get("PILOTHOUSE_TASK_STEP_SECONDS", "1.0"))
    tick_seconds: float = 0.1


def now() -> datetime:
    return datetime.now(timezone.utc)
