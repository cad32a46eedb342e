resource "akool_generated_image" "hero" {
  prompt = "A lighthouse on a cliff at sunrise, warm light, wide cinematic shot"
  scale  = "16:9"
}

resource "akool_image_file" "hero" {
  url      = akool_generated_image.hero.image_url
  path     = "${path.module}/images/hero.png"
  image_id = akool_generated_image.hero.id
}

# An Open Graph card: cropped to fill 1200x630 from the centre, as JPEG.
# The rendition carries the source's marking (its XMP packet). source_sha256
# orders it after the file and renders it again, in the same apply, when the
# image is regenerated.
resource "akool_image_rendition" "og" {
  source        = akool_image_file.hero.path
  source_sha256 = akool_image_file.hero.sha256
  path          = "${path.module}/public/hero-og.jpg"
  width         = 1200
  height        = 630
  quality       = 82
}

# Several sizes of one source decode it once.
locals {
  squares = {
    square = 1080
    thumb  = 400
  }
}

resource "akool_image_rendition" "square" {
  for_each = local.squares

  source        = akool_image_file.hero.path
  source_sha256 = akool_image_file.hero.sha256
  path          = "${path.module}/public/hero-${each.key}.webp"
  width         = each.value
  height        = each.value
  focus         = "detail" # keep the most detailed part, not just the middle
  quality       = 80
}

output "renditions" {
  value = {
    og     = "${akool_image_rendition.og.rendered_width}x${akool_image_rendition.og.rendered_height}, ${akool_image_rendition.og.size} bytes, sha256 ${akool_image_rendition.og.sha256}"
    square = { for k, r in akool_image_rendition.square : k => "${r.rendered_width}x${r.rendered_height}, ${r.size} bytes" }
  }
}
