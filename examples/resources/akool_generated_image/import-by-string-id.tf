# Adopt an image job by the id Akool returned for it.
import {
  to = akool_generated_image.poster
  id = "662a10df4197b3af58532e89"
}
