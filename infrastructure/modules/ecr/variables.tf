variable "name" {
  type        = string
  description = "Name prefix of the repositories, e.g. pilothouse-staging (repositories are {name}/api and {name}/worker)."
}

variable "services" {
  type        = set(string)
  description = "The services that get a repository."
  default     = ["api", "worker"]
}

variable "keep_images" {
  type        = number
  description = "How many images each repository keeps: what rollback can reach."
  default     = 30

  validation {
    condition     = var.keep_images >= 5
    error_message = "Keep at least 5 images, so a rollback has somewhere to go."
  }
}
