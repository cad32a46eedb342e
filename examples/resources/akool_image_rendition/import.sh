# Import a rendition already on disk by its path, as written in the
# configuration's path argument. The next apply renders it again from the
# configuration.
terraform import akool_image_rendition.og ./public/hero-og.jpg
