# One environment of the platform: what each environment root instantiates, so staging and
# production differ only in their variables.
locals {
  name = "${var.project}-${var.environment}"
}

data "aws_region" "current" {}

module "vpc" {
  source             = "../vpc"
  name               = local.name
  cidr_block         = var.cidr_block
  availability_zones = var.availability_zones
}

module "ecr" {
  source = "../ecr"
  name   = local.name
}

module "ssm" {
  source      = "../ssm"
  project     = var.project
  environment = var.environment
}

module "alb" {
  source              = "../alb"
  name                = local.name
  vpc_id              = module.vpc.vpc_id
  public_subnet_ids   = module.vpc.public_subnet_ids
  certificate_arn     = var.certificate_arn
  deletion_protection = var.production
}

module "iam" {
  source                   = "../iam"
  name                     = local.name
  environment              = var.environment
  ssm_prefix               = module.ssm.prefix
  ssm_kms_key_arn          = module.ssm.kms_key_arn
  artifacts_bucket_arn     = aws_s3_bucket.artifacts.arn
  artifacts_kms_key_arn    = module.artifacts_key.arn
  ecr_repository_arns      = module.ecr.repository_arns
  cluster_name             = local.name
  service_names            = { api = "api", worker = "worker" }
  github_repository        = var.github_repository
  github_oidc_provider_arn = var.github_oidc_provider_arn
  vercel_oidc_provider_arn = var.vercel_oidc_provider_arn
  vercel_team_slug         = var.vercel_team_slug
  vercel_project_name      = var.vercel_project_name
}

module "ecs" {
  source                = "../ecs"
  name                  = local.name
  environment           = var.environment
  vpc_id                = module.vpc.vpc_id
  private_subnet_ids    = module.vpc.private_subnet_ids
  alb_security_group_id = module.alb.security_group_id
  api_target_group_arn  = module.alb.api_target_group_arn
  images                = { for k, url in module.ecr.repository_urls : k => "${url}:${var.initial_image_tag}" }
  secret_arns           = module.ssm.parameter_arns
  execution_role_arn    = module.iam.execution_role_arn
  task_role_arns        = module.iam.task_role_arns
  services              = var.services
}

# Job artifacts (screenshots, PDFs, scrape results) the worker writes under jobs/{jobId}/.
resource "aws_s3_bucket" "artifacts" {
  #checkov:skip=CKV_AWS_144: artifacts are regenerable job output; cross-region replication is not worth its cost
  #checkov:skip=CKV_AWS_18: access logging goes to the account's central log bucket, configured outside this stack
  #checkov:skip=CKV2_AWS_62: nothing consumes artifact events; the api reports results from the job itself
  bucket = "${local.name}-artifacts"
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  versioning_configuration {
    status = "Enabled"
  }
}

module "artifacts_key" {
  source      = "../kms"
  description = "${local.name} job artifacts"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = module.artifacts_key.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    id     = "expire-job-artifacts"
    status = "Enabled"
    filter {
      prefix = "jobs/"
    }
    expiration {
      days = 30
    }
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
  }
  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}
