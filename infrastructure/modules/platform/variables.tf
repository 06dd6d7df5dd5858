variable "project" {
  type        = string
  description = "Project name: prefixes every resource and the SSM paths."
  default     = "pilothouse"
}

variable "environment" {
  type        = string
  description = "Environment name (staging, production)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.environment))
    error_message = "environment must be lowercase letters, digits and dashes."
  }
}

variable "production" {
  type        = bool
  description = "Production: deletion protection on, and the control plane asks for typed confirmation."
}

variable "cidr_block" {
  type        = string
  description = "The environment's VPC range (a /16)."
}

variable "availability_zones" {
  type        = list(string)
  description = "Two availability zones in the provider's region."
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate for the API's domain."
}

variable "initial_image_tag" {
  type        = string
  description = "Image tag the first task definitions use; deploys register later revisions."
  default     = "bootstrap"
}

variable "services" {
  type = map(object({
    cpu           = number
    memory        = number
    min_count     = number
    max_count     = number
    desired_count = number
  }))
  description = "Size and scaling bounds of the api and worker."
}

variable "github_repository" {
  type        = string
  description = "owner/repo of this repository: its deploy workflow assumes the deploy role."
}

variable "github_oidc_provider_arn" {
  type        = string
  description = "The account's GitHub Actions OIDC provider."
}

variable "vercel_oidc_provider_arn" {
  type        = string
  description = "The account's Vercel OIDC provider."
}

variable "vercel_team_slug" {
  type        = string
  description = "Vercel team of the control plane."
}

variable "vercel_project_name" {
  type        = string
  description = "Vercel project of the control plane."
  default     = "pilothouse"
}

variable "queue_names" {
  type        = list(string)
  description = "BullMQ queues (contracts/platform.ts QUEUE_NAMES), for the control plane's registry entry."
  default     = ["screenshot", "pdf", "scrape"]
}
