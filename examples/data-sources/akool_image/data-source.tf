# Look up an image by its Akool id, for example one generated outside this
# configuration.
data "akool_image" "shared" {
  id = "662a10df4197b3af58532e89"
}

output "shared_image" {
  value = {
    status = data.akool_image.shared.status
    url    = data.akool_image.shared.image_url
    prompt = data.akool_image.shared.prompt
  }
}
