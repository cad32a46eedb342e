# A 2x2 grid (api_version "v3", the default) offers the buttons U1-U4.
resource "akool_generated_image" "poster" {
  prompt = "a lighthouse on a rocky coast at dusk, oil painting"
  scale  = "16:9"
}

# A 4K upscale of the grid's second sub-image (button U2). Each press spends
# credits; a new poster (for example after a prompt change) replaces it.
resource "akool_image_upscale" "poster" {
  image_id = akool_generated_image.poster.id
  index    = 2
}

# Upscales of several sub-images of the same grid, one press each.
resource "akool_image_upscale" "corners" {
  for_each = toset(["1", "4"])

  image_id = akool_generated_image.poster.id
  index    = tonumber(each.key)

  timeouts {
    create = "30m"
  }
}

output "poster_4k_url" {
  value = akool_image_upscale.poster.image_url
}
