# Import a file already on disk by its path, as written in the configuration's
# path argument. Nothing is downloaded; the first apply records the url.
terraform import akool_image_file.hero ./images/hero.png
