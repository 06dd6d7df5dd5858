output "prefix" {
  description = "The parameters' path prefix, /{project}/{environment}/."
  value       = "/${var.project}/${var.environment}/"
}

output "parameter_arns" {
  description = "Parameter ARN per key, for the task definitions' secrets blocks."
  value       = { for k in var.parameter_keys : k => "${local.arn_prefix}/${var.project}/${var.environment}/${k}" }
}

output "kms_key_arn" {
  description = "The key the parameters are encrypted with: pass it as --key-id when writing them; the task execution role decrypts with it."
  value       = module.key.arn
}
