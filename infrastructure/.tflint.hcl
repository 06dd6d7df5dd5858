# The bundled terraform ruleset only: the AWS ruleset plugin is a download this network refuses.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
