data "akool_account" "this" {}

output "akool_credit" {
  value = data.akool_account.this.credit
}

# Refuse to start a generation when the balance is too low: the plan fails
# with this message before any credit is spent. Terraform checks a
# precondition on every plan, also when the image already exists, so pick a
# threshold you mean to keep.
resource "akool_generated_image" "hero" {
  prompt = "A lighthouse on a cliff at sunrise, warm light, wide cinematic shot"

  lifecycle {
    precondition {
      condition     = data.akool_account.this.credit >= 20
      error_message = "The Akool account has fewer than 20 credits left; top it up before generating images."
    }
  }
}
