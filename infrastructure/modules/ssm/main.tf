resource "aws_kms_key" "this" {
  description         = "${var.project}-${var.environment} parameters"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.key.json
}

data "aws_caller_identity" "current" {}

# The key's policy: the account administers and uses it through IAM (AWS's default key policy).
data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:a key policy's resource is its own key; the account administers it, as AWS's default key policy does
  #checkov:skip=CKV_AWS_111:a key policy's resource is its own key; the account administers it, as AWS's default key policy does
  #checkov:skip=CKV_AWS_356:a key policy's resource is always its own key, written "*"
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}


# Created with a placeholder; real values are written out-of-band (aws ssm put-parameter
# --overwrite) and never pass through Terraform's inputs or state: ignore_changes keeps
# Terraform from ever writing the placeholder back over them.
resource "aws_ssm_parameter" "this" {
  for_each = toset(var.parameter_keys)
  name     = "/${var.project}/${var.environment}/${each.key}"
  type     = "SecureString"
  key_id   = aws_kms_key.this.arn
  value    = "set-out-of-band"

  lifecycle {
    ignore_changes = [value]
  }
}
