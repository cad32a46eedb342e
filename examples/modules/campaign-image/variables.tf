variable "prompt" {
  description = "What the picture shows."
  type        = string

  validation {
    condition     = length(trimspace(var.prompt)) > 0
    error_message = "prompt must not be empty."
  }
}

variable "scale" {
  description = "Aspect ratio of the picture."
  type        = string
  default     = "16:9"

  validation {
    condition     = contains(["1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3"], var.scale)
    error_message = "scale must be one of 1:1, 4:3, 3:4, 16:9, 9:16, 3:2 or 2:3."
  }
}

variable "upscale_index" {
  description = "Which sub-image of the 2x2 grid to upscale, 1 to 4."
  type        = number
  default     = 1

  validation {
    condition     = var.upscale_index >= 1 && var.upscale_index <= 4
    error_message = "upscale_index must be 1, 2, 3 or 4."
  }
}

variable "output_dir" {
  description = "Directory for the local copies."
  type        = string
}
