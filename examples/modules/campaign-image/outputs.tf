output "image_id" {
  description = "Akool's id of the grid."
  value       = akool_generated_image.this.id
}

output "files" {
  description = "The local copies: the grid and the upscale."
  value = {
    grid    = akool_image_file.grid.path
    upscale = akool_image_file.upscale.path
  }
}

output "expires_at" {
  description = "When Akool deletes the grid (7 days after generation)."
  value       = akool_generated_image.this.expires_at
}
