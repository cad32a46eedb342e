# Import an image job by the id Akool returned for it (its _id, also sent to
# the webhook). Akool echoes the prompt and source image; the first apply
# afterwards takes the remaining inputs from the configuration without
# generating a new image.
# The command takes the id string only: identity is for import blocks.
terraform import akool_generated_image.poster 662a10df4197b3af58532e89
