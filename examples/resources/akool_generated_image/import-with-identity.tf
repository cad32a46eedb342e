# Adopt an image job by its identity: the same id, named as an attribute.
import {
  to = akool_generated_image.poster
  identity = {
    id = "662a10df4197b3af58532e89"
  }
}
