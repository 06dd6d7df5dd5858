# State in S3, encrypted, locked with S3's native lock file (no DynamoDB table), one state per
# environment: its key is in <environment>.s3.tfbackend, the bucket and region are given at init
# (README, "Infrastructure"):
#   tofu init -reconfigure -backend-config=staging.s3.tfbackend -backend-config="bucket=<state bucket>" -backend-config="region=<region>"
terraform {
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}
