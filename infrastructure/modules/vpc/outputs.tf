output "vpc_id" {
  description = "The VPC's id."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "Public subnets, one per AZ: the ALB's."
  value       = [for s in aws_subnet.public : s.id]
}

output "private_subnet_ids" {
  description = "Private subnets, one per AZ: the ECS tasks'."
  value       = [for s in aws_subnet.private : s.id]
}
