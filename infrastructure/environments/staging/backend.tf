# State in S3, encrypted, locked with S3's native lock file (no DynamoDB table).
# The bucket and region are given at init (README, "Infrastructure"):
#   tofu init -backend-config="bucket=<state bucket>" -backend-config="region=<region>"
terraform {
  backend "s3" {
    key          = "pilothouse/staging/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
