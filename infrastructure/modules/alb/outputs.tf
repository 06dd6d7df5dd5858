output "load_balancer_arn" {
  description = "The ALB's ARN (the control plane's registry entry)."
  value       = aws_lb.this.arn
}

output "dns_name" {
  description = "The ALB's DNS name: point the API's domain at it."
  value       = aws_lb.this.dns_name
}

output "api_target_group_arn" {
  description = "The api's target group."
  value       = aws_lb_target_group.api.arn
}

output "security_group_id" {
  description = "The ALB's security group: the only source the api tasks accept."
  value       = aws_security_group.alb.id
}
