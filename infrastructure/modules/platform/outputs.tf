output "control_plane_environment" {
  description = "This environment's entry for the control plane's registry (lib/environments.ts), less the Redis URL, which is a secret."
  value = {
    name       = var.environment
    production = var.production
    aws        = { region = data.aws_region.current.region, roleArn = module.iam.control_plane_role_arn }
    ecs        = { cluster = module.ecs.cluster_name, services = module.ecs.service_names }
    logs       = { groups = module.ecs.log_group_names, events = module.ecs.events_log_group_name }
    alb        = { loadBalancerArn = module.alb.load_balancer_arn, targetGroupArns = { api = module.alb.api_target_group_arn } }
    ecr        = { repositories = module.ecr.repository_names }
    ssm        = { prefix = module.ssm.prefix }
    artifacts  = { bucket = aws_s3_bucket.artifacts.id }
    queues     = { names = var.queue_names }
    github = {
      owner          = split("/", var.github_repository)[0]
      repo           = split("/", var.github_repository)[1]
      deployWorkflow = "deploy.yml"
    }
  }
}

output "api_dns_name" {
  description = "The ALB's DNS name: point the API's domain at it."
  value       = module.alb.dns_name
}

output "deploy_role_arn" {
  description = "Set as the GitHub environment's DEPLOY_ROLE_ARN variable."
  value       = module.iam.deploy_role_arn
}

output "ssm_kms_key_arn" {
  description = "The key this environment's SSM parameters are written with (README: apply)."
  value       = module.ssm.kms_key_arn
}
