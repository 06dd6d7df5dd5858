variable "name" {
  type        = string
  description = "Name of the load balancer and prefix of its target group, e.g. pilothouse-staging."
}

variable "vpc_id" {
  type        = string
  description = "The VPC the load balancer and its targets live in."
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Public subnets in at least two AZs."

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "An ALB needs subnets in at least two availability zones."
  }
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate for the HTTPS listener."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "api_port" {
  type        = number
  description = "The port the api container listens on."
  default     = 8000
}

variable "health_check_path" {
  type        = string
  description = "The api's health endpoint (worker/api/app.ts)."
  default     = "/api/health/"
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the load balancer (on in production)."
  default     = true
}
