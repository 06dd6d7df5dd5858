module "platform" {
  source                   = "../modules/platform"
  environment              = var.environment
  production               = var.environment == "production"
  cidr_block               = var.cidr_block
  availability_zones       = var.availability_zones
  certificate_arn          = var.certificate_arn
  services                 = var.services
  github_repository        = var.github_repository
  github_oidc_provider_arn = var.github_oidc_provider_arn
  vercel_oidc_provider_arn = var.vercel_oidc_provider_arn
  vercel_team_slug         = var.vercel_team_slug
}

# The SSM parameters were Terraform resources before: forget them, never destroy them (their
# values were written out of band and are live). README: "Secrets out of Terraform's state".
# Delete this block once every environment has been applied with it: after that apply,
# `tofu state list` there shows no module.platform.module.ssm.aws_ssm_parameter, and the
# block has nothing left to forget.
removed {
  from = module.platform.module.ssm.aws_ssm_parameter.this

  lifecycle {
    destroy = false
  }
}
