data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.region
  partition = data.aws_partition.current.partition
  service_arns = [
    for name in values(var.service_names) : "arn:${local.partition}:ecs:${local.region}:${local.account}:service/${var.cluster_name}/${name}"
  ]
  # The services' log groups and ECS's events group (modules/ecs names them so): what the control plane reads.
  log_group_arns = concat(
    [for name in values(var.service_names) : "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:/ecs/${var.cluster_name}/${name}"],
    ["arn:${local.partition}:logs:${local.region}:${local.account}:log-group:/aws/events/${var.cluster_name}/ecs"],
  )
  vercel_issuer = "oidc.vercel.com/${var.vercel_team_slug}"
  # The roles a task definition names: whoever registers one must be allowed to pass them.
  task_role_arns = [aws_iam_role.execution.arn, aws_iam_role.api.arn, aws_iam_role.worker.arn]
}

# ---------------------------------------------------------------- ECS task roles
data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-task-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

# The secrets block: read exactly this environment's parameters, decrypt with their key.
data "aws_iam_policy_document" "execution_secrets" {
  statement {
    actions   = ["ssm:GetParameters"]
    resources = ["arn:${local.partition}:ssm:${local.region}:${local.account}:parameter${var.ssm_prefix}*"]
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = [var.ssm_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "execution_secrets" {
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution_secrets.json
}

resource "aws_iam_role" "api" {
  name               = "${var.name}-api"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role" "worker" {
  name               = "${var.name}-worker"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "WriteArtifacts"
    actions   = ["s3:PutObject"]
    resources = ["${var.artifacts_bucket_arn}/jobs/*"]
  }
  # The bucket encrypts with its own key (SSE-KMS): a PutObject asks KMS for a data key as the writer.
  statement {
    sid       = "EncryptArtifacts"
    actions   = ["kms:GenerateDataKey"]
    resources = [var.artifacts_kms_key_arn]
  }
  statement {
    sid = "PublishBacklogMetric"
    # PutMetricData has no resource-level permissions; the namespace condition scopes it.
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Pilothouse"]
    }
  }
}

resource "aws_iam_role_policy" "worker" {
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

# ------------------------------------------------------- GitHub Actions deploy role
data "aws_iam_policy_document" "deploy_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.github_oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    # Only deploy.yml as it is on the default branch, running in this GitHub environment: a
    # branch's own copy of the workflow cannot assume this role. Needs the repository's OIDC
    # subject to include job_workflow_ref (README: bootstrap, `oidc/customization/sub`).
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:environment:${var.environment}:job_workflow_ref:${var.github_repository}/.github/workflows/deploy.yml@refs/heads/${var.github_default_branch}"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "${var.name}-github-deploy"
  assume_role_policy   = data.aws_iam_policy_document.deploy_assume.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"] # has no resource-level permissions
    resources = ["*"]
  }
  statement {
    sid = "PushImages"
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:DescribeImages", "ecr:DescribeRepositories",
    ]
    resources = values(var.ecr_repository_arns)
  }
  statement {
    sid = "TaskDefinitions"
    # Register/Describe have no resource-level permissions.
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"]
    resources = ["*"]
  }
  statement {
    sid       = "UpdateServices"
    actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
    resources = local.service_arns
  }
  statement {
    sid       = "PassTaskRoles"
    actions   = ["iam:PassRole"]
    resources = local.task_role_arns
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

# ------------------------------------------------------- the control plane (Vercel)
data "aws_iam_policy_document" "control_plane_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.vercel_oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.vercel_issuer}:aud"
      values   = ["https://vercel.com/${var.vercel_team_slug}"]
    }
    # Only the control plane project's production deployments.
    condition {
      test     = "StringEquals"
      variable = "${local.vercel_issuer}:sub"
      values   = ["owner:${var.vercel_team_slug}:project:${var.vercel_project_name}:environment:production"]
    }
  }
}

resource "aws_iam_role" "control_plane" {
  name                 = "${var.name}-control-plane"
  assume_role_policy   = data.aws_iam_policy_document.control_plane_assume.json
  max_session_duration = 3600
}

# Read-only plus exactly the actions it offers. Never ssm:GetParameter*: it shows
# which parameters exist, not their values.
data "aws_iam_policy_document" "control_plane" {
  #checkov:skip=CKV_AWS_356: logs:GetQueryResults has no resource type in the service authorization reference (it reads a query by the id its StartQuery, limited to our log groups, returned); the Describe calls take none either
  statement {
    sid = "ReadPlatform"
    # These Describe/List/Get calls have no resource-level permissions.
    actions = [
      "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions",
      "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth",
      "cloudwatch:GetMetricData",
      "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies", "application-autoscaling:DescribeScalingActivities",
      "ssm:DescribeParameters",
    ]
    resources = ["*"]
  }
  statement {
    sid       = "ReadServicesAndTasks"
    actions   = ["ecs:DescribeServices", "ecs:DescribeTasks", "ecs:ListTasks"]
    resources = concat(local.service_arns, ["arn:${local.partition}:ecs:${local.region}:${local.account}:task/${var.cluster_name}/*", "arn:${local.partition}:ecs:${local.region}:${local.account}:container-instance/${var.cluster_name}/*"])
  }
  # Logs: only the platform's own groups (the services' and ECS's events). GetQueryResults takes
  # no resource (AWS gives it none): it reads a query by the id StartQuery returned.
  statement {
    sid       = "ReadLogs"
    actions   = ["logs:FilterLogEvents", "logs:DescribeLogStreams", "logs:StartQuery"]
    resources = local.log_group_arns
  }
  statement {
    sid       = "ReadLogQueryResults"
    actions   = ["logs:GetQueryResults"]
    resources = ["*"]
  }
  statement {
    sid       = "ReadImages"
    actions   = ["ecr:DescribeImages"]
    resources = values(var.ecr_repository_arns)
  }
  statement {
    sid       = "OperateServices"
    actions   = ["ecs:UpdateService"] # force new deployment, roll back, set desired count
    resources = local.service_arns
  }
  # Rolling back is UpdateService to an existing revision: no iam:PassRole (only registering a
  # task definition passes its roles, and the control plane never registers one). Scaling is
  # UpdateService's desired count within the bounds it reads: it never changes the bounds.
  # A failed job's evidence (screenshot, trace, evidence.json) under jobs/: read, and presigned for the job page.
  statement {
    sid       = "ReadJobEvidence"
    actions   = ["s3:GetObject"]
    resources = ["${var.artifacts_bucket_arn}/jobs/*/attempt-*"] # evidence only, not the jobs' own output
  }
  statement {
    sid       = "ListJobEvidence"
    actions   = ["s3:ListBucket"]
    resources = [var.artifacts_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["jobs/*"]
    }
  }
  statement {
    sid       = "DecryptJobEvidence"
    actions   = ["kms:Decrypt"]
    resources = [var.artifacts_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "control_plane" {
  role   = aws_iam_role.control_plane.id
  policy = data.aws_iam_policy_document.control_plane.json
}
