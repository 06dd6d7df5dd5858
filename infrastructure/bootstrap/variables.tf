variable "project" {
  type        = string
  description = "Project name: prefixes the roles and names the parameter paths the plan role may never read."
  default     = "pilothouse"
}

variable "region" {
  type        = string
  description = "Region of the state bucket (the roles and OIDC providers are global)."
}

variable "state_bucket_name" {
  type        = string
  description = "The S3 bucket for every root's state (backend-config bucket)."
}

variable "github_repository" {
  type        = string
  description = "owner/name of this repository: the only one whose workflows may assume these roles."

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "github_default_branch" {
  type        = string
  description = "The branch whose terraform.yml may apply (contracts/platform.ts DEPLOY_WORKFLOW_BRANCH)."
  default     = "main"
}

variable "environments" {
  type        = list(string)
  description = "The GitHub environments terraform.yml applies in, one per root under environments/."
  default     = ["staging", "production"]
}

variable "vercel_team_slug" {
  type        = string
  description = "Vercel team of the control plane: its OIDC issuer is oidc.vercel.com/{team}."
}
