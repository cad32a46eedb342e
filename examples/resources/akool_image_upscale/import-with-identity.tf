# Adopt an upscale by its identity: the same id, named as an attribute.
import {
  to = akool_image_upscale.poster
  identity = {
    id = "662a10df4197b3af58532e8a"
  }
}
