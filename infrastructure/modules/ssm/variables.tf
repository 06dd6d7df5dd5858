variable "project" {
  type        = string
  description = "Project name: the first segment of every parameter path."
}

variable "environment" {
  type        = string
  description = "Environment name: the second segment of every parameter path."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.environment))
    error_message = "environment must be lowercase letters, digits and dashes."
  }
}

# The same nine keys as contracts/platform.ts SSM_PARAMETER_KEYS; tests/infra/terraform.test.ts fails if they drift.
variable "parameter_keys" {
  type        = list(string)
  description = "The SecureString parameters every environment has at /{project}/{environment}/{KEY}."
  default = [
    "REDIS_URL",
    "API_KEYS",
    "ARTIFACTS_BUCKET",
    "ARTIFACTS_SIGNING_SECRET",
    "SESSION_SECRET",
    "GITHUB_WEBHOOK_SECRET",
    "SENTRY_DSN",
    "WORKER_URL_ALLOWLIST",
    "OTEL_EXPORTER_OTLP_HEADERS",
  ]
}
