package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// NewImageUpscaleResource returns the akool_image_upscale resource.
func NewImageUpscaleResource() resource.Resource {
	return &imageButtonResource{kind: upscaleKind}
}

// upscaleKind is akool_image_upscale: the buttons U1-U4.
var upscaleKind = &buttonKind{
	letter:        "U",
	typeSuffix:    "_image_upscale",
	noun:          "upscale",
	article:       "an",
	operation:     "Upscale",
	unableSummary: "Unable to Upscale Image",
	introduction: "A 4K upscale of one sub-image of a finished Akool grid: the result of pressing the grid's " +
		"button `U1`-`U4` (`U` followed by `index`).\n\n" +
		"The parent (`image_id`) is an `akool_generated_image` with " +
		"`api_version = \"v3\"`, or an `akool_image_variation`. The result is one picture, without buttons of " +
		"its own.",
	imageURLDesc: "URL of the upscaled picture, set once `status` is `completed`. Akool serves it for 7 days " +
		"after generation; download it if you need it longer.",
	indexDesc: "Which sub-image of the parent's 2x2 grid to upscale: `1` to `4`, numbered as the parent's " +
		"`upscaled_urls` and its `U1`-`U4` buttons.",
	newModel: func() buttonModel { return &imageUpscaleModel{} },
}

// imageUpscaleModel is the state of akool_image_upscale.
type imageUpscaleModel struct {
	imageButtonModel
}

func (m *imageUpscaleModel) waitWords() jobWords { return upscaleKind.waitWords(&m.imageButtonModel) }
