"""ECS behaviour moto lacks: rollouts step by step, running counts following desired counts, service events, the circuit breaker, stopped tasks kept with their reasons."""

from __future__ import annotations

import time
import uuid
from typing import Any

from moto.ec2.models import elastic_network_interfaces as eni_models
from moto.ecs import exceptions as ecs_exceptions
from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.moto_api import state_manager

from . import ecs_events
from .common import LOCK, Settings, now


# --------------------------------------------------------------------------- ECS
# A service's deployments live in moto's own `service.deployments` list (PRIMARY
# first), so DescribeServices serialises them unchanged. Our extra state is kept on
# the service object under `ph_*` attributes, which moto's serialiser ignores.

# ECS's circuit breaker threshold: 50% of desired count, at least 3, at most 200.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
def circuit_breaker_threshold(desired: int) -> int:
    return min(200, max(3, (desired + 1) // 2))


def add_event(service: Any, message: str) -> None:
    service.events.insert(
        0, {"id": str(uuid.uuid4()), "createdAt": now(), "message": f"(service {service.name}) {message}"}
    )
    del service.events[100:]  # ECS keeps the last 100 events


def new_deployment(service: Any, task_definition: str | None) -> dict[str, Any]:
    dep_id = f"ecs-svc/{uuid.uuid4().int % 10**19:019d}"
    return {
        "id": dep_id,
        "status": "PRIMARY",
        "taskDefinition": task_definition,
        "desiredCount": service.desired_count,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now(),
        "updatedAt": now(),
        "launchType": service.launch_type,
        "platformVersion": service.platform_version or "1.4.0",
        "platformFamily": "Linux",
        "networkConfiguration": service.network_configuration or None,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {dep_id} in progress.",
    }


# moto's tasks race to STOPPED the first time they are read (its default "immediate"
# progression); ours run until the rollout stops them, as ECS tasks do.
state_manager.set_transition(model_name="ecs::task", transition={"progression": "manual", "times": 10**12})


# moto 5.2.5 builds an awsvpc task's ENI attachment from `eni.private_dns_name`, which its
# NetworkInterface sets only for some interfaces (so RunTask with awsvpc fails too): give it
# EC2's own naming when moto did not set one. A setter too: moto assigns it for the others
# (a NAT gateway's ENI), and a read-only property made CreateNatGateway answer 500.
if not hasattr(eni_models.NetworkInterface, "private_dns_name"):

    def get_private_dns_name(self: Any) -> str:
        explicit = self.__dict__.get("_ph_private_dns_name")
        return explicit or f"ip-{str(self.private_ip_address).replace('.', '-')}.ec2.internal"

    def set_private_dns_name(self: Any, value: str) -> None:
        self.__dict__["_ph_private_dns_name"] = value

    eni_models.NetworkInterface.private_dns_name = property(get_private_dns_name, set_private_dns_name)  # type: ignore[attr-defined]


def make_task(service: Any, deployment: dict[str, Any]) -> Any:
    """A task of the deployment in moto's model, or None when moto cannot make one."""
    backend = service._backend
    try:
        task_definition = backend.describe_task_definition(deployment["taskDefinition"])
        cluster = backend._get_cluster(service.cluster_name)
        task = ecs_models.Task(
            cluster,
            task_definition,
            None,
            None,
            backend,
            group=f"service:{service.name}",
            launch_type=service.launch_type or "FARGATE",
            started_by=deployment["id"],
            networking_configuration=service.network_configuration or None,
            platform_version=service.platform_version,
        )
    except ecs_exceptions.InvalidParameterException:
        # An awsvpc task definition on a service created without a network configuration:
        # ECS would refuse the service; the counts still move, there is just no task to list.
        return None
    task.started_at = now()
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
    return task


def start_task(service: Any, deployment: dict[str, Any]) -> None:
    """A RUNNING task of the deployment, visible to ListTasks(serviceName) and DescribeTasks."""
    task = make_task(service, deployment)
    if task is None:
        return
    task.health_status = "HEALTHY"
    service.__dict__.setdefault("ph_tasks", {}).setdefault(deployment["id"], []).append(task.task_arn)


# ECS shows a stopped task for at least an hour; we keep each service's newest ones.
STOPPED_TASKS_KEPT = 50


def mark_stopped(service: Any, task: Any, reason: str, stop_code: str, exit_code: int | None, container_reason: str | None) -> None:
    """Turns a task into what DescribeTasks shows for a stopped one (ListTasks desiredStatus=STOPPED)."""
    task.last_status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stopped_reason = reason
    task.stop_code = stop_code
    task.stopping_at = task.stopped_at = task.execution_stopped_at = now()
    task.health_status = "UNKNOWN"
    for container in task.containers:
        container.last_status = "STOPPED"
        container.exitCode = exit_code
        container.reason = container_reason
        container.health_status = "UNKNOWN"
    stopped = service.__dict__.setdefault("ph_stopped", [])
    stopped.append(task.task_arn)
    while len(stopped) > STOPPED_TASKS_KEPT:
        service._backend.tasks.get(service.cluster_name, {}).pop(stopped.pop(0), None)
    ecs_events.task_stopped(service, task)


# ECS lists a stopped task for about an hour after it stops, then forgets it.
STOPPED_TASK_SECONDS = 3_600


def forget_stopped_tasks(older_than_seconds: float = STOPPED_TASK_SECONDS) -> int:
    """Drops stopped tasks that stopped longer ago than that, as ECS does after about an hour."""
    forgotten = 0
    cutoff = now().timestamp() - older_than_seconds
    for service in all_services():
        tasks = service._backend.tasks.get(service.cluster_name, {})
        kept = []
        for arn in getattr(service, "ph_stopped", []):
            task = tasks.get(arn)
            if task is not None and task.stopped_at.timestamp() <= cutoff:
                tasks.pop(arn, None)
                forgotten += 1
            elif task is not None:
                kept.append(arn)
        service.ph_stopped = kept
    return forgotten


def stop_task(service: Any, deployment: dict[str, Any]) -> None:
    """Stops the deployment's oldest task, as the scheduler does when a rollout or scale-in replaces it."""
    arns = getattr(service, "ph_tasks", {}).get(deployment["id"], [])
    if not arns:
        return
    task = service._backend.tasks.get(service.cluster_name, {}).get(arns.pop(0))
    if task is not None:
        mark_stopped(service, task, f"Scaling activity initiated by (deployment {deployment['id']})", "ServiceSchedulerInitiated", 0, None)


def task_exited(task_arn: str, exit_code: int, reason: str | None) -> bool:
    """A running task whose essential container exited (the local process standing in for it did):
    stopped as ECS stops it, and the service starts a replacement."""
    for service in all_services():
        for deployment_id, arns in getattr(service, "ph_tasks", {}).items():
            if task_arn not in arns:
                continue
            arns.remove(task_arn)
            deployment = next((d for d in service.deployments if d["id"] == deployment_id), None)
            if deployment is not None:
                deployment["runningCount"] = max(0, deployment["runningCount"] - 1)
                deployment["updatedAt"] = now()
            task = service._backend.tasks.get(service.cluster_name, {}).get(task_arn)
            if task is not None:
                mark_stopped(service, task, "Essential container in task exited", "EssentialContainerExited", exit_code, reason)
            add_event(service, f"has stopped 1 running tasks: (task {task_arn.split('/')[-1]}).")
            service.ph_steady = False
            sync_counts(service)
            return True
    return False


def fail_task(service: Any, deployment: dict[str, Any]) -> None:
    """A task of a failing task definition: started, then its essential container exited."""
    failure = FAILING_TASK_DEFINITIONS.get(deployment["taskDefinition"]) or {}
    task = make_task(service, deployment)
    if task is not None:
        mark_stopped(
            service,
            task,
            failure.get("stoppedReason") or "Essential container in task exited",
            failure.get("stopCode") or "EssentialContainerExited",
            int(failure.get("exitCode", 1)),
            failure.get("reason"),
        )


def start_deployment(service: Any, task_definition: str | None) -> dict[str, Any]:
    for dep in service.deployments:
        dep["status"] = "ACTIVE"
    dep = new_deployment(service, task_definition)
    service.deployments.insert(0, dep)
    service.ph_next_step_at = time.monotonic()
    ecs_events.deployment_changed(service, dep, "SERVICE_DEPLOYMENT_IN_PROGRESS", f"ECS deployment {dep['id']} in progress.")
    return dep


def circuit_breaker(service: Any) -> dict[str, Any]:
    config = getattr(service, "deployment_configuration", None) or {}
    return config.get("deploymentCircuitBreaker") or {"enable": False, "rollback": False}


def sync_counts(service: Any) -> None:
    service.running_count = sum(d["runningCount"] for d in service.deployments)
    service.pending_count = sum(d["pendingCount"] for d in service.deployments)


def fail_primary(service: Any, primary: dict[str, Any]) -> None:
    primary["rolloutState"] = "FAILED"
    primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
    primary["pendingCount"] = 0
    add_event(service, f"(deployment {primary['id']}) deployment failed: tasks failed to start.")
    ecs_events.deployment_changed(service, primary, "SERVICE_DEPLOYMENT_FAILED", primary["rolloutStateReason"])
    previous = next((d for d in service.deployments[1:] if d["status"] == "ACTIVE"), None)
    if circuit_breaker(service).get("rollback") and previous is not None:
        # ECS rolls back by starting a new deployment of the last completed task definition.
        service.deployments.remove(primary)
        service.task_definition = previous["taskDefinition"]
        rollback = start_deployment(service, previous["taskDefinition"])
        add_event(service, f"rolling back to deployment {previous['id']}.")
        rollback["rolloutStateReason"] = f"ECS deployment {rollback['id']} in progress (rollback)."
    else:
        service.ph_stuck = True


def step_service(service: Any) -> None:
    """Moves one task: start a task of the primary, or stop one of an older deployment."""
    if service.status != "ACTIVE" or not service.deployments or getattr(service, "ph_stuck", False):
        return
    primary = service.deployments[0]
    primary["desiredCount"] = service.desired_count
    service.ph_steady = False
    older = [d for d in service.deployments[1:] if d["runningCount"] > 0]
    failing = primary["taskDefinition"] in FAILING_TASK_DEFINITIONS

    if primary["runningCount"] < service.desired_count:
        if failing:
            primary["failedTasks"] += 1
            primary["pendingCount"] = 1
            fail_task(service, primary)
            add_event(service, f"(deployment {primary['id']}) task failed to start: essential container exited.")
            if circuit_breaker(service).get("enable") and primary["failedTasks"] >= circuit_breaker_threshold(
                service.desired_count
            ):
                fail_primary(service, primary)
            primary["updatedAt"] = now()
            return
        primary["runningCount"] += 1
        primary["pendingCount"] = max(0, service.desired_count - primary["runningCount"])
        start_task(service, primary)
        add_event(service, f"has started 1 tasks: (task {uuid.uuid4().hex}).")
    elif primary["runningCount"] > service.desired_count:
        primary["runningCount"] -= 1
        stop_task(service, primary)
        add_event(service, f"has stopped 1 running tasks: (task {uuid.uuid4().hex}).")
    elif older:
        older[-1]["runningCount"] -= 1
        stop_task(service, older[-1])
        add_event(service, f"has stopped 1 running tasks: (task {uuid.uuid4().hex}).")
    else:
        service.deployments[1:] = []
        primary["pendingCount"] = 0
        if primary["rolloutState"] == "IN_PROGRESS":
            primary["rolloutState"] = "COMPLETED"
            primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
            add_event(service, f"(deployment {primary['id']}) deployment completed.")
            ecs_events.deployment_changed(service, primary, "SERVICE_DEPLOYMENT_COMPLETED", primary["rolloutStateReason"])
            add_event(service, "has reached a steady state.")
            primary["updatedAt"] = now()
        service.ph_steady = True
        return
    primary["updatedAt"] = now()


def is_steady(service: Any) -> bool:
    return getattr(service, "ph_steady", False) or getattr(service, "ph_stuck", False) or service.status != "ACTIVE"


# Task definition ARNs whose tasks fail to start (set through the control API), with how
# they fail: exitCode, the container's reason, the task's stoppedReason and stopCode.
FAILING_TASK_DEFINITIONS: dict[str, dict[str, Any]] = {}


def all_services() -> list[Any]:
    found = []
    for account in ecs_models.ecs_backends.values():
        for backend in account.values():
            found.extend(backend.services.values())
    return found


def recount_clusters() -> None:
    for account in ecs_models.ecs_backends.values():
        for backend in account.values():
            for cluster in backend.clusters.values():
                services = [s for s in backend.services.values() if s.cluster_name == cluster.name]
                cluster.running_tasks_count = sum(s.running_count for s in services)
                cluster.pending_tasks_count = sum(s.pending_count for s in services)
                cluster.active_services_count = sum(1 for s in services if s.status == "ACTIVE")


def tick(force: bool = False) -> None:
    with LOCK:
        forget_stopped_tasks()
        clock = time.monotonic()
        for service in all_services():
            if force or clock >= getattr(service, "ph_next_step_at", 0):
                step_service(service)
                sync_counts(service)
                service.ph_next_step_at = clock + Settings.task_step_seconds
        recount_clusters()


def settle(max_steps: int = 10_000) -> bool:
    """Runs every rollout to its end at once (the seed uses it so the demo starts steady)."""
    for _ in range(max_steps):
        if all(is_steady(s) for s in all_services()):
            return True
        tick(force=True)
    return False


original_list_tasks = ecs_models.EC2ContainerServiceBackend.list_tasks


def list_tasks(self: Any, *args: Any, **kwargs: Any) -> Any:
    # moto ignores serviceName ("we can't filter until the backend launches tasks"): ours do.
    service_name = kwargs.get("service_name") if "service_name" in kwargs else (args[4] if len(args) > 4 else None)
    # ECS lists RUNNING tasks unless desiredStatus says otherwise; moto lists every task.
    if len(args) > 5:
        args = (*args[:5], args[5] or "RUNNING", *args[6:])
    elif not kwargs.get("desiredStatus"):
        kwargs["desiredStatus"] = "RUNNING"
    tasks = original_list_tasks(self, *args, **kwargs)
    if service_name:
        tasks = [t for t in tasks if t.group == f"service:{service_name}"]
    return tasks


ecs_models.EC2ContainerServiceBackend.list_tasks = list_tasks

original_create_service = ecs_models.EC2ContainerServiceBackend.create_service
original_update_service = ecs_models.EC2ContainerServiceBackend.update_service
original_create_service_response = ecs_responses.EC2ContainerServiceResponse.create_service


def create_service(self: Any, *args: Any, **kwargs: Any) -> Any:
    with LOCK:
        service = original_create_service(self, *args, **kwargs)
        # moto starts the service at MOTO_ECS_SERVICE_RUNNING tasks; ours starts at 0
        # and rolls out its first deployment like ECS does.
        service.deployments = []
        service.events = []
        if service.deployment_controller.get("type", "ECS") == "ECS":
            start_deployment(service, service.task_definition)
        sync_counts(service)
        recount_clusters()
        return service


def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
    with LOCK:
        cluster = service_properties.get("cluster", "default")
        name = str(service_properties.get("service", "")).split("/")[-1]
        service = self._get_service(cluster, name)
        before = (service.running_count, service.pending_count, [dict(d) for d in service.deployments])
        old_task_definition = service.task_definition
        force = bool(service_properties.get("force_new_deployment"))
        desired_before = service.desired_count
        updated = original_update_service(self, service_properties)
        # Undo moto's instant jump of running count to desired count; the ticker moves it.
        updated.running_count, updated.pending_count, updated.deployments = before
        new_task_definition = updated.task_definition
        if new_task_definition and not new_task_definition.startswith("arn:"):
            new_task_definition = self.describe_task_definition(new_task_definition).arn
            updated.task_definition = new_task_definition
        if force or new_task_definition != old_task_definition:
            updated.ph_stuck = False
            start_deployment(updated, new_task_definition)
        if updated.desired_count != desired_before or force or new_task_definition != old_task_definition:
            updated.ph_steady = False
        sync_counts(updated)
        return updated


def create_service_response(self: Any) -> Any:
    result = original_create_service_response(self)
    # moto drops deploymentConfiguration on create; keep it so the circuit breaker applies.
    config = self._get_param("deploymentConfiguration")
    if config:
        service = self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
        service.deployment_configuration = config
    return result


ecs_models.EC2ContainerServiceBackend.create_service = create_service
ecs_models.EC2ContainerServiceBackend.update_service = update_service
ecs_responses.EC2ContainerServiceResponse.create_service = create_service_response
