# An example of a module built on the Akool provider: one campaign picture
# from a prompt, the upscale of one of its sub-images, and local copies of
# both. Its tests (tests/) run offline against the project's Akool emulator.
# The module runs on Terraform 1.5 and OpenTofu 1.6 and later; its tests need
# Terraform 1.6 (OpenTofu 1.6), and tests/plan.tftest.hcl, with mock_provider,
# Terraform 1.7 (OpenTofu 1.8).
terraform {
  required_version = ">= 1.5"
  required_providers {
    akool = {
      source = "akool-community/akool"
    }
  }
}

resource "akool_generated_image" "this" {
  prompt = var.prompt
  scale  = var.scale
}

resource "akool_image_upscale" "this" {
  image_id = akool_generated_image.this.id
  index    = var.upscale_index
}

# image_id names the job each copy comes from: its id and creation time are
# written into the copy's AI-generated marking, so that a copy kept after
# Akool deleted the job (7 days) still says which job made it.
resource "akool_image_file" "grid" {
  url      = akool_generated_image.this.image_url
  image_id = akool_generated_image.this.id
  path     = "${var.output_dir}/grid.png"
}

resource "akool_image_file" "upscale" {
  url      = akool_image_upscale.this.image_url
  image_id = akool_image_upscale.this.id
  path     = "${var.output_dir}/upscale.png"
}
