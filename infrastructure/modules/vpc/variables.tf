variable "name" {
  type        = string
  description = "Name prefix for every resource, e.g. pilothouse-staging."
}

variable "cidr_block" {
  type        = string
  description = "The VPC's IPv4 range; /16 leaves room for the four /20 subnets."

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && endswith(var.cidr_block, "/16")
    error_message = "cidr_block must be a /16, such as 10.10.0.0/16."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Two availability zones: the ALB needs subnets in at least two."

  validation {
    condition     = length(var.availability_zones) == 2
    error_message = "Give exactly two availability zones."
  }
}

variable "flow_log_retention_days" {
  type        = number
  description = "How long VPC flow logs are kept in CloudWatch Logs."
  default     = 365
}
