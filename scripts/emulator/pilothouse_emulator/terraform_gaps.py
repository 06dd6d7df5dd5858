"""What the AWS provider needs from moto to apply infrastructure/ that moto 5.2 lacks.

Each patch below is found by `tofu apply` / `tofu plan` of our roots against the emulator
(tests/terraform/); each names the AWS behaviour it adds, so it can go when moto gains it.
Imported by pilothouse_moto.py before the server starts.
"""

from __future__ import annotations

import json
from typing import Any

import xmltodict
from moto.applicationautoscaling import responses as aas_responses
from moto.core.exceptions import JsonRESTError
from moto.ec2.models import security_groups as ec2_security_groups
from moto.s3 import responses as s3_responses

# --- S3: CreateBucket with CreateBucketConfiguration.Tags -----------------------------------
# Since 2025 S3 tags a bucket at creation (the provider sends default_tags there); moto
# ignores the element, so every plan after apply wanted to add the tags again.
original_bucket_response_put = s3_responses.S3Response._bucket_response_put


def bucket_response_put(self: Any, request: Any, bucket_name: str, querystring: dict[str, Any]) -> Any:
    result = original_bucket_response_put(self, request, bucket_name, querystring)
    if not querystring and self.body:
        configuration = (xmltodict.parse(self.body) or {}).get("CreateBucketConfiguration") or {}
        tags = (configuration.get("Tags") or {}).get("Tag") or []
        if isinstance(tags, dict):
            tags = [tags]
        if tags:
            self.backend.put_bucket_tagging(bucket_name, {tag["Key"]: tag.get("Value") or "" for tag in tags})
    return result


s3_responses.S3Response._bucket_response_put = bucket_response_put


# --- Application Auto Scaling: tags on scalable targets ---------------------------------------
# AWS tags scalable targets (RegisterScalableTarget's Tags, ListTagsForResource, TagResource,
# UntagResource, by the target's ARN); moto implements none of it, and the provider reads a
# target's tags after creating it, retrying "not implemented" until its timeout.
def scalable_target_tags(backend: Any) -> dict[str, dict[str, str]]:
    if not hasattr(backend, "ph_tags"):
        backend.ph_tags = {}
    return backend.ph_tags


def find_scalable_target_arn(backend: Any, arn: str) -> str:
    for targets in backend.targets.values():
        for target in targets.values():
            if target.arn == arn:
                return arn
    raise JsonRESTError("ResourceNotFoundException", f"No scalable target found for {arn}")


original_register_scalable_target = aas_responses.ApplicationAutoScalingResponse.register_scalable_target


def register_scalable_target(self: Any) -> str:
    body = original_register_scalable_target(self)
    tags = self._get_param("Tags") or {}
    if tags:
        arn = json.loads(body)["ScalableTargetARN"]
        scalable_target_tags(self.applicationautoscaling_backend).setdefault(arn, {}).update(tags)
    return body


def list_tags_for_resource(self: Any) -> str:
    backend = self.applicationautoscaling_backend
    arn = find_scalable_target_arn(backend, self._get_param("ResourceARN"))
    return json.dumps({"Tags": scalable_target_tags(backend).get(arn, {})})


def tag_resource(self: Any) -> str:
    backend = self.applicationautoscaling_backend
    arn = find_scalable_target_arn(backend, self._get_param("ResourceARN"))
    scalable_target_tags(backend).setdefault(arn, {}).update(self._get_param("Tags") or {})
    return "{}"


def untag_resource(self: Any) -> str:
    backend = self.applicationautoscaling_backend
    arn = find_scalable_target_arn(backend, self._get_param("ResourceARN"))
    tags = scalable_target_tags(backend).get(arn, {})
    for key in self._get_param("TagKeys") or []:
        tags.pop(key, None)
    return "{}"


aas_responses.ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target
aas_responses.ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource
aas_responses.ApplicationAutoScalingResponse.tag_resource = tag_resource
aas_responses.ApplicationAutoScalingResponse.untag_resource = untag_resource


# --- EC2: the description of a rule that references a security group ---------------------------
# DescribeSecurityGroupRules returns a rule's description wherever it was given; moto reads it
# only from a CIDR range, so a rule "from the ALB's group" lost it and every plan re-set it.
def security_group_rule_description(self: Any) -> str | None:
    return self.ip_range.get("Description") or (self.source_group or {}).get("Description")


ec2_security_groups.SecurityGroupRule.description = property(security_group_rule_description)  # type: ignore[assignment]
