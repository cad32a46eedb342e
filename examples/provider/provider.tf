terraform {
  required_providers {
    akool = {
      source = "akool-community/akool"
    }
  }
}

# Authenticate with an API key. Leave it out of the configuration and set
# AKOOL_API_KEY in the environment instead, so that it is not stored in code.
provider "akool" {
  api_key = var.akool_api_key
}

variable "akool_api_key" {
  type      = string
  sensitive = true
}

# Or exchange a client id and secret for a token:
#
# provider "akool" {
#   client_id     = var.akool_client_id
#   client_secret = var.akool_client_secret
# }
