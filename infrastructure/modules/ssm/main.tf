module "key" {
  source      = "../kms"
  description = "${var.project}-${var.environment} parameters"
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

# The parameters themselves are NOT Terraform resources: the AWS provider reads a
# SecureString's decrypted value into the state on every refresh (ignore_changes only stops it
# writing back), and the state is readable by whoever plans. So Terraform owns their key and
# names; their values are written once per environment, out of band (README: apply):
#   aws ssm put-parameter --type SecureString --key-id <kms_key_arn> --name /pilothouse/<env>/<KEY> --value ...
# The control plane shows any that are missing (lib/aws/ssm.ts), and an ECS task that names a
# missing one fails to start with ResourceInitializationError.
locals {
  arn_prefix = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:parameter"
}
