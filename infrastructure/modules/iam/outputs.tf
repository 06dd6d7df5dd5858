output "execution_role_arn" {
  description = "ECS task execution role (image pull, logs, SSM secrets)."
  value       = aws_iam_role.execution.arn
}

output "task_role_arns" {
  description = "Task role per service."
  value       = { api = aws_iam_role.api.arn, worker = aws_iam_role.worker.arn }
}

output "deploy_role_arn" {
  description = "Role the deploy workflow assumes through GitHub OIDC (set as the environment's DEPLOY_ROLE_ARN variable)."
  value       = aws_iam_role.deploy.arn
}

output "control_plane_role_arn" {
  description = "Role the control plane assumes through Vercel OIDC (its registry entry's aws.roleArn)."
  value       = aws_iam_role.control_plane.arn
}
