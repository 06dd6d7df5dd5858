variable "name" {
  type        = string
  description = "Name prefix of the roles, e.g. pilothouse-staging."
}

variable "environment" {
  type        = string
  description = "Environment name: the GitHub environment deploys must run in."
}

variable "ssm_prefix" {
  type        = string
  description = "The environment's parameter path, /{project}/{environment}/."

  validation {
    condition     = can(regex("^/[^/]+/[^/]+/$", var.ssm_prefix))
    error_message = "ssm_prefix must look like /{project}/{environment}/."
  }
}

variable "ssm_kms_key_arn" {
  type        = string
  description = "The key the parameters are encrypted with."
}

variable "artifacts_bucket_arn" {
  type        = string
  description = "The bucket the worker writes job artifacts to."
}

variable "artifacts_kms_key_arn" {
  type        = string
  description = "The key the artifacts bucket encrypts with: the worker encrypts with it, the control plane decrypts failure evidence."
}

variable "ecr_repository_arns" {
  type        = map(string)
  description = "Repository ARN per service: what the deploy role may push to."
}

variable "cluster_name" {
  type        = string
  description = "The ECS cluster the deploy and control-plane roles act on."
}

variable "service_names" {
  type        = map(string)
  description = "ECS service name per role."
}

variable "github_repository" {
  type        = string
  description = "owner/repo whose workflows may assume the deploy role."

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be owner/repo."
  }
}

variable "github_default_branch" {
  type        = string
  description = "The branch whose deploy.yml may assume the deploy role (contracts/platform.ts DEPLOY_WORKFLOW_BRANCH)."
  default     = "main"
}

variable "github_oidc_provider_arn" {
  type        = string
  description = "The account's token.actions.githubusercontent.com OIDC provider (one per account, created once)."
}

variable "vercel_oidc_provider_arn" {
  type        = string
  description = "The account's oidc.vercel.com/{team} OIDC provider (one per account, created once)."
}

variable "vercel_team_slug" {
  type        = string
  description = "Vercel team whose project may assume the control plane role."
}

variable "vercel_project_name" {
  type        = string
  description = "Vercel project of the control plane."
}
