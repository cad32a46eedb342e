# Adopt a rendition already on disk by its path as written in the
# configuration's path argument.
import {
  to = akool_image_rendition.og
  id = "./public/hero-og.jpg"
}
