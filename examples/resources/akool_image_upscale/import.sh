# Import an upscale by the id Akool returned for the press (its _id, also sent
# to the webhook). image_id and index are read back from Akool; importing a
# variation's id here is an error.
# The command takes the id string only: identity is for import blocks.
terraform import akool_image_upscale.poster 662a10df4197b3af58532e8a
