output "cluster_name" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "service_names" {
  description = "Service name per role (api, worker)."
  value       = { for k, s in aws_ecs_service.this : k => s.name }
}

output "service_arns" {
  description = "Service ARN per role, for IAM policies."
  value       = { for k, s in aws_ecs_service.this : k => s.id }
}

output "task_definition_families" {
  description = "Task definition family per role."
  value       = { for k, t in aws_ecs_task_definition.this : k => t.family }
}

output "scalable_target_arns" {
  description = "Each service's Application Auto Scaling scalable target ARN: the control plane may re-register exactly these."
  value       = { for k, t in aws_appautoscaling_target.this : k => t.arn }
}

output "log_group_names" {
  description = "Each service's log group (awslogs streams {service}/{container}/{task id})."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}

output "events_log_group_name" {
  description = "The log group ECS's task-stopped and deployment events are kept in for 30 days."
  value       = aws_cloudwatch_log_group.ecs_events.name
}
