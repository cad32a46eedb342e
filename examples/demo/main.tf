# The demo that `make demo` applies against the local Akool emulator.
# Credentials and endpoint come from AKOOL_ENDPOINT and AKOOL_API_KEY.
terraform {
  required_providers {
    akool = {
      source = "akool-community/akool"
    }
  }
}

provider "akool" {}

locals {
  campaign = {
    hero = {
      prompt = "A lighthouse on a cliff at sunrise, warm light, wide cinematic shot"
      scale  = "16:9"
    }
    square = {
      prompt = "A ceramic coffee cup on a wooden table, soft morning light"
      scale  = "1:1"
    }
    story = {
      prompt = "A runner on a mountain trail at dusk, vertical poster"
      scale  = "9:16"
    }
  }
}

# Three grid images (v3) at different aspect ratios.
resource "akool_generated_image" "campaign" {
  for_each = local.campaign

  prompt = each.value.prompt
  scale  = each.value.scale
}

# One single image from the v4 endpoint.
resource "akool_generated_image" "poster" {
  api_version = "v4"
  prompt      = "A minimalist poster of a paper airplane over a city skyline"
  scale       = "3:4"
  resolution  = "1080p"
}

# The hero grid's second sub-image, upscaled, and a variation of its fourth.
resource "akool_image_upscale" "hero" {
  image_id = akool_generated_image.campaign["hero"].id
  index    = 2
}

resource "akool_image_variation" "hero" {
  image_id = akool_generated_image.campaign["hero"].id
  index    = 4
}

# Durable local copies: Akool deletes every image 7 days after generation.
# Each copy is marked as AI-generated inside the file (an XMP packet with the
# IPTC Digital Source Type); image_id adds the Akool job id and creation time.
resource "akool_image_file" "campaign" {
  for_each = akool_generated_image.campaign

  url      = each.value.image_url
  path     = "${path.root}/images/${each.key}.png"
  image_id = each.value.id
  marking = {
    alt_text    = each.value.prompt
    credit_line = "Demo campaign, generated with Akool"
  }
}

resource "akool_image_file" "hero_upscale" {
  url      = akool_image_upscale.hero.image_url
  path     = "${path.root}/images/hero-upscale-2.png"
  image_id = akool_image_upscale.hero.id
}

resource "akool_image_file" "hero_variation" {
  url      = akool_image_variation.hero.image_url
  path     = "${path.root}/images/hero-variation-4.png"
  image_id = akool_image_variation.hero.id
}

resource "akool_image_file" "poster" {
  url      = akool_generated_image.poster.image_url
  path     = "${path.root}/images/poster.png"
  image_id = akool_generated_image.poster.id
}

# Web-ready renditions of the hero, rendered locally from its copy: an Open
# Graph card as JPEG and a square thumbnail as WebP. Each keeps the marking of
# its source, and is rendered again when the source changes.
locals {
  hero_renditions = {
    card  = { width = 800, height = 420, ext = "jpg", quality = 82 }
    thumb = { width = 400, height = 400, ext = "webp", quality = 80 }
  }
}

resource "akool_image_rendition" "hero" {
  for_each = local.hero_renditions

  source        = akool_image_file.campaign["hero"].path
  source_sha256 = akool_image_file.campaign["hero"].sha256
  path          = "${path.root}/public/hero-${each.key}.${each.value.ext}"
  width         = each.value.width
  height        = each.value.height
  quality       = each.value.quality
}

output "renditions" {
  description = "The hero's renditions, one a line: path, size in pixels and in kilobytes."
  value = join("\n", [for r in akool_image_rendition.hero :
  "${abspath(r.path)}: ${r.rendered_width} x ${r.rendered_height}, ${format("%.1f", r.size / 1000)} kB"])
}

output "image_files" {
  description = "The saved images, one absolute path a line."
  value = join("\n", concat(
    [for f in akool_image_file.campaign : abspath(f.path)],
    [for s in local.singles : abspath(s.copy.path)],
  ))
}

# A gallery page of the local copies, for a person to look at (make demo
# writes it to .demo/index.html): each picture with its prompt, scale, kind,
# id, expiry date and the marking written into its file.
locals {
  hero = akool_generated_image.campaign["hero"]

  # The upscale, the variation and the v4 poster, each with the job whose
  # prompt and scale it shows (an upscale or a variation shows its grid's).
  singles = [
    { copy = akool_image_file.hero_upscale, job = akool_image_upscale.hero, source = local.hero, kind = "upscale ${akool_image_upscale.hero.button}" },
    { copy = akool_image_file.hero_variation, job = akool_image_variation.hero, source = local.hero, kind = "variation ${akool_image_variation.hero.button}" },
    { copy = akool_image_file.poster, job = akool_generated_image.poster, source = akool_generated_image.poster, kind = "v4" },
  ]

  # One entry per picture: its local copy, the Akool job that made it, and
  # the prompt and scale it was made from.
  gallery = concat(
    [for key, img in akool_generated_image.campaign : {
      copy       = akool_image_file.campaign[key]
      kind       = "grid"
      prompt     = img.prompt
      scale      = img.scale
      id         = img.id
      expires_at = img.expires_at
    }],
    [for s in local.singles : {
      copy       = s.copy
      kind       = s.kind
      prompt     = s.source.prompt
      scale      = s.source.scale
      id         = s.job.id
      expires_at = s.job.expires_at
    }],
  )
}

output "gallery_html" {
  description = "The gallery page, an HTML document whose image links are relative to this directory."
  value = templatefile("${path.module}/gallery.html.tftpl", {
    title  = "Akool demo gallery"
    images = local.gallery
    source = akool_image_file.campaign["hero"]
    renditions = [for key, r in akool_image_rendition.hero : {
      name   = key
      path   = r.path
      size   = "${r.rendered_width} x ${r.rendered_height}, ${format("%.1f", r.size / 1000)} kB"
      marked = r.marked
    }]
  })
}
