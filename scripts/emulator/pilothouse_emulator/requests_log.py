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


def count_request(environ: dict[str, Any]) -> None:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    # Credential=AKID/20260101/us-east-1/ecs/aws4_request
    parts = auth.split("Credential=")[1].split(",")[0].split("/") if "Credential=" in auth else []
    service = parts[3] if len(parts) > 3 else "unsigned"
    with LOCK:
        AWS_REQUESTS[service] = AWS_REQUESTS.get(service, 0) + 1


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
