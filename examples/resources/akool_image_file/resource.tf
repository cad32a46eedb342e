resource "akool_generated_image" "hero" {
  prompt = "A lighthouse on a cliff at sunrise, warm light, wide cinematic shot"
  scale  = "16:9"
}

# Akool deletes every image 7 days after generation: keep a verified local copy.
# Once the URL has expired, plans stay quiet; if the file goes missing before
# then, the next apply downloads it again without generating a new image.
# Changing path moves the verified file, also after the URL has expired.
# The copy says inside the file that it is AI-generated (an XMP packet with
# the IPTC Digital Source Type); image_id adds the Akool job id and time.
resource "akool_image_file" "hero" {
  url      = akool_generated_image.hero.image_url
  path     = "${path.module}/images/hero.png"
  image_id = akool_generated_image.hero.id

  marking = {
    alt_text    = "A lighthouse on a cliff at sunrise"
    credit_line = "Example Co. / generated with Akool"
  }
}

output "hero_image" {
  value = {
    path   = akool_image_file.hero.path
    sha256 = akool_image_file.hero.sha256
    size   = "${akool_image_file.hero.width}x${akool_image_file.hero.height}, ${akool_image_file.hero.size} bytes"
  }
}
