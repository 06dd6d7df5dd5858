variable "name" {
  type        = string
  description = "Name of the cluster and prefix of its services' resources, e.g. pilothouse-staging."
}

variable "environment" {
  type        = string
  description = "Environment name (the worker's backlog metric dimension)."
}

variable "vpc_id" {
  type        = string
  description = "The VPC the tasks run in."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets for the tasks: no task gets a public IP."
}

variable "alb_security_group_id" {
  type        = string
  description = "The ALB's security group: the only source the api accepts."
}

variable "api_target_group_arn" {
  type        = string
  description = "Target group the api registers in."
}

variable "images" {
  type        = map(string)
  description = "Image (repository URL:tag or @digest) per service, for the first task definitions; deploys replace them."
}

variable "secret_arns" {
  type        = map(string)
  description = "SSM parameter ARN per environment variable name: each reaches the containers through `secrets`, never `environment`."
}

variable "service_secret_keys" {
  type        = map(list(string))
  description = "The SSM keys each service receives (contracts/platform.ts SERVICE_SECRET_KEYS): the worker never gets the api's secrets."
  default = {
    api    = ["REDIS_URL", "API_KEYS", "ARTIFACTS_BUCKET", "ARTIFACTS_SIGNING_SECRET", "SESSION_SECRET", "GITHUB_WEBHOOK_SECRET", "SENTRY_DSN", "WORKER_URL_ALLOWLIST", "OTEL_EXPORTER_OTLP_HEADERS"]
    worker = ["REDIS_URL", "ARTIFACTS_BUCKET", "SENTRY_DSN", "WORKER_URL_ALLOWLIST", "OTEL_EXPORTER_OTLP_HEADERS"]
  }
}

variable "execution_role_arn" {
  type        = string
  description = "Role ECS uses to pull images, write logs and read the SSM secrets."
}

variable "task_role_arns" {
  type        = map(string)
  description = "Role per service that the application code runs as."
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

  validation {
    condition     = alltrue([for k in ["api", "worker"] : contains(keys(var.services), k)])
    error_message = "services must define api and worker."
  }
  validation {
    condition     = alltrue([for s in values(var.services) : s.min_count <= s.desired_count && s.desired_count <= s.max_count])
    error_message = "Each service needs min_count <= desired_count <= max_count."
  }
}

variable "api_cpu_target_percent" {
  type        = number
  description = "The api scales to keep average CPU near this."
  default     = 60
}

variable "worker_backlog_per_task_target" {
  type        = number
  description = "The worker scales to keep waiting jobs per task near this (Pilothouse/QueueBacklog over the running task count)."
  default     = 20
}

variable "log_retention_days" {
  type        = number
  description = "How long the services' logs are kept."
  default     = 365
}
