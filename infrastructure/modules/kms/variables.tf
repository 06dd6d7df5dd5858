variable "description" {
  type        = string
  description = "What the key encrypts, e.g. \"pilothouse-staging parameters\"."
}

variable "cloudwatch_logs" {
  type        = bool
  description = "Whether CloudWatch Logs in this region may use the key (for encrypted log groups)."
  default     = false
}
