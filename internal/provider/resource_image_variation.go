package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// NewImageVariationResource returns the akool_image_variation resource.
func NewImageVariationResource() resource.Resource {
	return &imageButtonResource{kind: variationKind}
}

// variationKind is akool_image_variation: the buttons V1-V4. A variation is
// a grid again, with buttons of its own.
var variationKind = &buttonKind{
	letter:        "V",
	typeSuffix:    "_image_variation",
	noun:          "variation",
	article:       "a",
	operation:     "Image Variation",
	unableSummary: "Unable to Create Image Variation",
	introduction: "A variation of one sub-image of a finished Akool grid: the result of pressing the grid's " +
		"button `V1`-`V4` (`V` followed by `index`).\n\n" +
		"The parent (`image_id`) is an `akool_generated_image` with " +
		"`api_version = \"v3\"`, or another `akool_image_variation`. The result is a new 2x2 grid with its own " +
		"`buttons` and `upscaled_urls`, so it can be upscaled (`akool_image_upscale`) or varied again, with " +
		"`image_id = akool_image_variation.<name>.id`.",
	imageURLDesc: "URL of the variation's 2x2 grid, set once `status` is `completed`. Akool serves it for 7 days " +
		"after generation; download it if you need it longer.",
	indexDesc: "Which sub-image of the parent's 2x2 grid to vary: `1` to `4`, numbered as the parent's " +
		"`upscaled_urls` and its `V1`-`V4` buttons.",
	grid: &gridDescriptions{
		upscaledURLs: "URLs of the variation grid's four single images, in the order of its " +
			"`U1`-`U4` buttons." + descSinglesWait,
		buttons: "Buttons Akool offers on the finished variation: `U1`-`U4` (upscale " +
			"sub-image N, with `akool_image_upscale`) and `V1`-`V4` (vary it again, with " +
			"`akool_image_variation`).",
	},
	newModel: func() buttonModel { return &imageVariationModel{} },
}

// imageVariationModel is the state of akool_image_variation.
type imageVariationModel struct {
	imageButtonModel
	gridResultModel
}

// applyImage records what Akool reports about the job, the grid included.
func (m *imageVariationModel) applyImage(img *akool.Image, now time.Time) {
	m.imageButtonModel.applyImage(img, now)
	m.fromGrid(img)
}

func (m *imageVariationModel) waitWords() jobWords {
	return variationKind.waitWords(&m.imageButtonModel)
}
