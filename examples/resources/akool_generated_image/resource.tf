variable "poster_revision" {
  description = "Bump to generate a new poster (a new, different picture; it spends credits)."
  type        = string
  default     = "1"
}

# A 2x2 grid (api_version "v3", the default); its four single images are in
# upscaled_urls, and its buttons can upscale or vary them.
#
# Bump a trigger to regenerate: a new poster_revision replaces the poster with
# a new generation, and resources that use its id or URLs are replaced with it.
# Nothing else regenerates it: after Akool's 7 days (expires_at), the poster
# stays in state with expired = true and plans stay empty.
resource "akool_generated_image" "poster" {
  prompt = "a lighthouse on a rocky coast at dusk, oil painting"
  scale  = "16:9"

  triggers = {
    revision = var.poster_revision
  }
}

# One image from the v4 call, with a model chosen by Akool.
resource "akool_generated_image" "portrait" {
  api_version     = "v4"
  prompt          = "a portrait of a sea captain, soft window light"
  scale           = "3:4"
  resolution      = "1080p"
  negative_prompt = "text, watermark"

  timeouts {
    create = "30m"
  }
}

# Image-to-image: start from an existing picture.
resource "akool_generated_image" "winter" {
  api_version  = "v4"
  prompt       = "the same lighthouse in a snow storm"
  source_image = akool_generated_image.poster.upscaled_urls[0]
  scale        = "Original"
  similarity   = 0.7
}

output "poster_url" {
  value = akool_generated_image.poster.image_url
}

output "poster_expires_at" {
  value = akool_generated_image.poster.expires_at
}
