# Once per AWS account, applied by an administrator (local state: this root creates the
# bucket every other root keeps its state in). What the pipelines and the control plane
# trust: the two OIDC providers, the state bucket, and the two Terraform roles that
# .github/workflows/terraform.yml assumes. tests/infra/pipelines.test.ts holds each trust
# policy against the workflow that uses it.
#
# The GitHub OIDC subjects below include job_workflow_ref: set the repository's subject
# template once (README: bootstrap), or no role here (nor the deploy roles) can be assumed:
#   gh api -X PUT repos/{owner}/{repo}/actions/oidc/customization/sub \
#     -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=job_workflow_ref'

data "aws_partition" "current" {}

locals {
  github_issuer  = "token.actions.githubusercontent.com"
  terraform_file = "${var.github_repository}/.github/workflows/terraform.yml"
}

# ---------------------------------------------------------------- OIDC providers
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://${local.github_issuer}"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_openid_connect_provider" "vercel" {
  url            = "https://oidc.vercel.com/${var.vercel_team_slug}"
  client_id_list = ["https://vercel.com/${var.vercel_team_slug}"]
}

# ---------------------------------------------------------------- state bucket
resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_144:state is versioned in one region; cross-region replication is not worth its cost here
  #checkov:skip=CKV_AWS_18:access logging goes to the account's central log bucket, configured outside this stack
  #checkov:skip=CKV2_AWS_62:nothing consumes state-object events
  #checkov:skip=CKV2_AWS_61:old state versions are the history of the infrastructure: kept, not expired
  #checkov:skip=CKV_AWS_145:SSE-S3, not a KMS key: the plan role reads state but is denied every kms:Decrypt, so it can never decrypt a secret
  bucket = var.state_bucket_name
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# ---------------------------------------------------------------- plan: pull requests
# Runs the pull request's own code, so it may read only what a plan without refresh needs
# (-refresh=false -lock=false, terraform.yml): the current state objects and the one data
# source that calls AWS (aws_vpc). Not ReadOnlyAccess: that would let any pull request read
# every bucket, log group and function environment in the account and post it as a comment.
# No GitHub environment (so no protection rule holds up a plan), only this repository's
# pull_request runs of terraform.yml.
data "aws_iam_policy_document" "plan_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "${local.github_issuer}:sub"
      values   = ["repo:${var.github_repository}:pull_request:job_workflow_ref:${local.terraform_file}@refs/pull/*"]
    }
  }
}

resource "aws_iam_role" "terraform_plan" {
  name                 = "${var.project}-terraform-plan"
  assume_role_policy   = data.aws_iam_policy_document.plan_assume.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "plan" {
  statement {
    sid       = "ListState"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }
  statement {
    sid       = "ReadCurrentState"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.state.arn}/${var.project}/*"]
  }
  statement {
    sid       = "DataSources"
    actions   = ["ec2:DescribeVpcs"] # data.aws_vpc in modules/alb; has no resource-level permissions
    resources = ["*"]
  }
  # Explicit denies win over anything attached later by mistake: never a secret value, never
  # an older state version (those from before the parameters left Terraform hold secrets).
  statement {
    sid       = "NeverSecrets"
    effect    = "Deny"
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory", "kms:Decrypt", "secretsmanager:GetSecretValue", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "plan" {
  role   = aws_iam_role.terraform_plan.id
  policy = data.aws_iam_policy_document.plan.json
}

# ---------------------------------------------------------------- apply: main, per environment
# One role per environment, each trusted only by terraform.yml as it is on the default branch
# running in that protected GitHub environment.
data "aws_iam_policy_document" "apply_assume" {
  for_each = toset(var.environments)
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_issuer}:sub"
      values   = ["repo:${var.github_repository}:environment:${each.key}:job_workflow_ref:${local.terraform_file}@refs/heads/${var.github_default_branch}"]
    }
  }
}

resource "aws_iam_role" "terraform_apply" {
  for_each             = toset(var.environments)
  name                 = "${var.project}-terraform-apply-${each.key}"
  assume_role_policy   = data.aws_iam_policy_document.apply_assume[each.key].json
  max_session_duration = 3600
}

# Applying creates IAM roles, VPCs, ALBs, ECS, KMS keys: the breadth of AdministratorAccess.
# What limits it is who may assume it (above) and the GitHub environments' protection rules.
# With both environments in one account, staging's role can reach production's resources:
# give each environment its own account (bootstrap applied once per account) for a hard wall.
resource "aws_iam_role_policy_attachment" "apply_admin" {
  for_each   = aws_iam_role.terraform_apply
  role       = each.value.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"
}
