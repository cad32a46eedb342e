# A 2x2 grid (api_version "v3", the default) offers the buttons V1-V4.
resource "akool_generated_image" "poster" {
  prompt = "a lighthouse on a rocky coast at dusk, oil painting"
  scale  = "16:9"
}

# A variation of the grid's third sub-image (button V3): a new 2x2 grid.
resource "akool_image_variation" "poster" {
  image_id    = akool_generated_image.poster.id
  index       = 3
  webhook_url = "https://hooks.example.com/akool"
}

# A variation is a grid again: upscale one of its sub-images.
resource "akool_image_upscale" "poster_variation" {
  image_id = akool_image_variation.poster.id
  index    = 1
}

output "variation_images" {
  value = akool_image_variation.poster.upscaled_urls
}
