resource "aws_kms_key" "this" {
  description         = "${var.name} container images"
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


resource "aws_ecr_repository" "this" {
  for_each = var.services
  name     = "${var.name}/${each.key}"
  # Images are tagged with the commit SHA once and deployed by digest: never overwritten.
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.this.arn
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each   = aws_ecr_repository.this
  repository = each.value.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the newest ${var.keep_images} images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = var.keep_images }
      action       = { type = "expire" }
    }]
  })
}
