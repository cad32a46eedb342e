# Adopt a variation by the id Akool returned for the press.
import {
  to = akool_image_variation.poster
  id = "662a10df4197b3af58532e8b"
}
