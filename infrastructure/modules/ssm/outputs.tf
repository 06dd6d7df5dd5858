output "prefix" {
  description = "The parameters' path prefix, /{project}/{environment}/."
  value       = "/${var.project}/${var.environment}/"
}

output "parameter_arns" {
  description = "Parameter ARN per key, for the task definitions' secrets blocks."
  value       = { for k, p in aws_ssm_parameter.this : k => p.arn }
}

output "kms_key_arn" {
  description = "The key the parameters are encrypted with (the task execution role decrypts with it)."
  value       = module.key.arn
}
