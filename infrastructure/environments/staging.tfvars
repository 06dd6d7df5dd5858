environment        = "staging"
region             = "eu-west-1"
cidr_block         = "10.10.0.0/16"
availability_zones = ["eu-west-1a", "eu-west-1b"]
github_repository  = "pilothouse-dev/pilothouse"
vercel_team_slug   = "pilothouse-dev"

services = {
  api    = { cpu = 256, memory = 512, min_count = 2, max_count = 6, desired_count = 2 }
  worker = { cpu = 1024, memory = 2048, min_count = 1, max_count = 8, desired_count = 1 }
}
