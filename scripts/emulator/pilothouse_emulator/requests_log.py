"""What the emulator was asked: AWS calls by service, and the AssumeRoleWithWebIdentity calls as STS received them."""

from __future__ import annotations

import base64
import io
import json
from typing import Any
from urllib.parse import parse_qs

from .common import LOCK


# AWS requests served, by service (from the SigV4 credential scope): lets tests and the
# benchmark count AWS calls at the emulator, whatever client made them.
AWS_REQUESTS: dict[str, int] = {}
# The same, per access key that signed them: which credentials made each call, so a test can
# prove the control plane reads through its role's session rather than assume it.
AWS_REQUESTS_BY_KEY: dict[str, dict[str, int]] = {}


def count_request(environ: dict[str, Any]) -> None:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    # Credential=AKID/20260101/us-east-1/ecs/aws4_request
    parts = auth.split("Credential=")[1].split(",")[0].split("/") if "Credential=" in auth else []
    service = parts[3] if len(parts) > 3 else "unsigned"
    access_key = parts[0] if parts else "unsigned"
    with LOCK:
        AWS_REQUESTS[service] = AWS_REQUESTS.get(service, 0) + 1
        by_service = AWS_REQUESTS_BY_KEY.setdefault(access_key, {})
        by_service[service] = by_service.get(service, 0) + 1


def principal_of(access_key: str) -> str | None:
    """The assumed-role session an access key belongs to (as STS issued it), or None for other keys."""
    from moto.sts.models import sts_backends

    for account in list(sts_backends.keys()):
        for backend in sts_backends[account].values():
            for role in backend.assumed_roles:
                if role.access_key_id == access_key:
                    return role.arn
    return None


def requests_by_access_key() -> dict[str, dict[str, Any]]:
    with LOCK:
        counted = {key: dict(services) for key, services in AWS_REQUESTS_BY_KEY.items()}
    return {key: {"principal": principal_of(key), "byService": services} for key, services in counted.items()}


# sts:AssumeRoleWithWebIdentity calls as STS received them (role, session, the token's
# claims): moto does not evaluate trust policies, so tests hold these against the Terraform's.
WEB_IDENTITY_REQUESTS: list[dict[str, Any]] = []


def record_web_identity(environ: dict[str, Any]) -> None:
    if environ.get("REQUEST_METHOD") != "POST" or "HTTP_AUTHORIZATION" in environ:
        return
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    if form.get("Action") != "AssumeRoleWithWebIdentity":
        return
    token = form.get("WebIdentityToken", "")
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        claims = None
    with LOCK:
        WEB_IDENTITY_REQUESTS.append(
            {
                "action": "sts:AssumeRoleWithWebIdentity",
                "roleArn": form.get("RoleArn"),
                "roleSessionName": form.get("RoleSessionName"),
                "durationSeconds": int(form["DurationSeconds"]) if "DurationSeconds" in form else None,
                "claims": claims,
            }
        )
