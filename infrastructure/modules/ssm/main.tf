module "key" {
  source      = "../kms"
  description = "${var.project}-${var.environment} parameters"
}

# Created with a placeholder; real values are written out-of-band (aws ssm put-parameter
# --overwrite) and never pass through Terraform's inputs or state: ignore_changes keeps
# Terraform from ever writing the placeholder back over them.
resource "aws_ssm_parameter" "this" {
  for_each = toset(var.parameter_keys)
  name     = "/${var.project}/${var.environment}/${each.key}"
  type     = "SecureString"
  key_id   = module.key.arn
  value    = "set-out-of-band"

  lifecycle {
    ignore_changes = [value]
  }
}
