variable "environment" {
  type        = string
  description = "The environment this apply is for: its <environment>.tfvars sets it, and its <environment>.s3.tfbackend keeps its state apart."
}

variable "region" {
  type        = string
  description = "AWS region of the environment."
}

variable "cidr_block" {
  type        = string
  description = "The environment's VPC range (a /16)."
}

variable "availability_zones" {
  type        = list(string)
  description = "Two availability zones in the region."
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate for the API's domain (TF_VAR_certificate_arn: CI takes it from a repository variable)."
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
  description = "owner/repo of this repository."
}

variable "github_oidc_provider_arn" {
  type        = string
  description = "The account's GitHub Actions OIDC provider (README: bootstrap)."
}

variable "vercel_oidc_provider_arn" {
  type        = string
  description = "The account's Vercel OIDC provider (README: bootstrap)."
}

variable "vercel_team_slug" {
  type        = string
  description = "Vercel team of the control plane."
}
