output "control_plane_environment" {
  description = "The control plane's registry entry for this environment: add queues.redisUrl and put it in PILOTHOUSE_ENVIRONMENTS."
  value       = module.platform.control_plane_environment
}

output "api_dns_name" {
  description = "Point the API's domain at this."
  value       = module.platform.api_dns_name
}

output "deploy_role_arn" {
  description = "The GitHub environment's DEPLOY_ROLE_ARN variable."
  value       = module.platform.deploy_role_arn
}

output "ssm_kms_key_arn" {
  description = "The key to write this environment's SSM parameters with (aws ssm put-parameter --key-id)."
  value       = module.platform.ssm_kms_key_arn
}
