data "akool_account" "this" {}

# Refuse to start a generation when the balance is too low: the plan fails
# with this message before any credit is spent.
resource "akool_generated_image" "hero" {
  prompt = "A lighthouse on a cliff at sunrise, warm light, wide cinematic shot"

  lifecycle {
    precondition {
      condition     = data.akool_account.this.credit >= 20
      error_message = "The Akool account has fewer than 20 credits left; top it up before generating images."
    }
  }
}
