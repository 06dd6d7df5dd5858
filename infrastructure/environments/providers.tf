provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "pilothouse"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}
