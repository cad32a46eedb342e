# Plan-only tests need no Akool and no emulator: mock_provider answers in the
# provider's place, and nothing is sent anywhere.
mock_provider "akool" {
  # OpenTofu makes up computed values already at plan time, as random strings
  # that the provider's plan-time checks refuse (an image id has 24
  # hexadecimal digits, a URL starts with https://): these look like Akool's.
  mock_resource "akool_generated_image" {
    defaults = {
      id        = "662a10df4197b3af58532e89"
      image_url = "https://example.com/grid.png"
    }
  }
  mock_resource "akool_image_upscale" {
    defaults = {
      id        = "662a10df4197b3af58532e8a"
      image_url = "https://example.com/upscale.png"
    }
  }
}

variables {
  prompt     = "A lighthouse on a cliff at sunrise"
  output_dir = "out"
}

run "plans_the_grid_its_upscale_and_the_copies" {
  command = plan

  assert {
    condition     = akool_generated_image.this.scale == "16:9"
    error_message = "The grid is not planned at 16:9."
  }
  assert {
    condition     = akool_image_upscale.this.index == 1
    error_message = "The upscale is not planned for sub-image 1."
  }
  assert {
    condition     = akool_image_file.upscale.path == "out/upscale.png"
    error_message = "The upscale's copy is planned at ${akool_image_file.upscale.path}."
  }
}

run "refuses_a_fifth_sub_image" {
  command = plan

  variables {
    upscale_index = 5
  }

  expect_failures = [var.upscale_index]
}
