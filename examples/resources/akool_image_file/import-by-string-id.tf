# Adopt a file already on disk, for example one restored from storage, by its
# path as written in the configuration's path argument.
import {
  to = akool_image_file.hero
  id = "./images/hero.png"
}
