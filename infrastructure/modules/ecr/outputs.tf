output "repository_names" {
  description = "Repository name per service."
  value       = { for k, r in aws_ecr_repository.this : k => r.name }
}

output "repository_urls" {
  description = "Repository URL per service (for the task definitions' images)."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "repository_arns" {
  description = "Repository ARN per service (for IAM policies)."
  value       = { for k, r in aws_ecr_repository.this : k => r.arn }
}
