# A customer-managed key with rotation, and its policy: the account administers and uses it
# through IAM (as AWS's default key policy does), and CloudWatch Logs may use it when asked.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_kms_key" "this" {
  description         = var.description
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.key.json
}

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

  dynamic "statement" {
    for_each = var.cloudwatch_logs ? [1] : []
    content {
      sid       = "CloudWatchLogsEncrypts"
      actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = ["logs.${data.aws_region.current.region}.amazonaws.com"]
      }
    }
  }
}
