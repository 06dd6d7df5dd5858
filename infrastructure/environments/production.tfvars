environment        = "production"
region             = "us-east-1"
cidr_block         = "10.20.0.0/16"
availability_zones = ["us-east-1a", "us-east-1b"]
github_repository  = "pilothouse-dev/pilothouse"
vercel_team_slug   = "pilothouse-dev"

services = {
  api    = { cpu = 512, memory = 1024, min_count = 3, max_count = 12, desired_count = 3 }
  worker = { cpu = 2048, memory = 4096, min_count = 2, max_count = 20, desired_count = 4 }
}
