output "state_bucket" {
  description = "Repository variable TERRAFORM_STATE_BUCKET (and the roots' -backend-config bucket)."
  value       = aws_s3_bucket.state.bucket
}

output "github_oidc_provider_arn" {
  description = "Repository variable ACTIONS_OIDC_PROVIDER_ARN; the environment roots' github_oidc_provider_arn."
  value       = aws_iam_openid_connect_provider.github.arn
}

output "vercel_oidc_provider_arn" {
  description = "Repository variable VERCEL_OIDC_PROVIDER_ARN; the environment roots' vercel_oidc_provider_arn."
  value       = aws_iam_openid_connect_provider.vercel.arn
}

output "terraform_plan_role_arn" {
  description = "Repository variable TERRAFORM_PLAN_ROLE_ARN."
  value       = aws_iam_role.terraform_plan.arn
}

output "terraform_apply_role_arns" {
  description = "Per environment: that GitHub environment's TERRAFORM_ROLE_ARN."
  value       = { for env, role in aws_iam_role.terraform_apply : env => role.arn }
}
