# Applies the module against whichever Akool the provider is pointed at: the
# project's emulator (make test), another stand-in, or Akool itself, which
# spends credits. The provider reads AKOOL_ENDPOINT and AKOOL_API_KEY from the
# environment. terraform test destroys what it created at the end.
provider "akool" {
  # The module starts two paid jobs; a test run never starts more.
  max_new_images = 2
}

variables {
  prompt = "A lighthouse on a cliff at sunrise, module test"
  # Relative to the directory terraform test runs in, as the provider is.
  # A plain value: Terraform 1.6 and OpenTofu before 1.11 allow no function
  # calls here.
  output_dir = "test-output"
}

run "generates_and_keeps_copies" {
  assert {
    condition     = akool_generated_image.this.status == "completed"
    error_message = "The grid did not finish: status is ${akool_generated_image.this.status}."
  }
  assert {
    condition     = akool_image_upscale.this.button == "U1"
    error_message = "The upscale pressed ${akool_image_upscale.this.button}, not U1."
  }
  assert {
    condition     = fileexists(output.files.grid) && fileexists(output.files.upscale)
    error_message = "The local copies were not written."
  }
  assert {
    condition     = filesha256(output.files.upscale) == akool_image_file.upscale.sha256
    error_message = "The upscale's local copy does not match its recorded checksum."
  }
  assert {
    condition     = akool_image_file.grid.image_created_at != null && akool_image_file.upscale.image_created_at != null
    error_message = "The local copies' marking does not name the jobs they come from."
  }
  assert {
    condition     = timecmp(output.expires_at, plantimestamp()) > 0
    error_message = "The grid expires at ${output.expires_at}, which has passed."
  }
}

run "second_plan_keeps_the_images" {
  command = plan

  # A plan that replaced an image would not know its status yet, and an
  # unknown condition fails the run. (Comparing with
  # run.generates_and_keeps_copies needs OpenTofu 1.7.)
  assert {
    condition     = akool_generated_image.this.status == "completed" && akool_image_upscale.this.status == "completed"
    error_message = "A second plan would replace the grid or its upscale."
  }
}

run "refuses_an_unknown_scale" {
  command = plan

  variables {
    scale = "5:4"
  }

  expect_failures = [var.scale]
}
