package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// imageFileMarkingFieldMax bounds each text of the marking, in characters
// (UTF-8 code points), so that a packet always fits the one segment JPEG
// gives it: a character takes at most 5 bytes once escaped ("&amp;", or
// 4 bytes of UTF-8), so the six texts take at most 60,000 of its 65,504.
const imageFileMarkingFieldMax = 2000

// imageFileMarkingAttributes are the attributes of akool_image_file that
// are about the marking (see resource_image_file_marking.go).
func imageFileMarkingAttributes() map[string]schema.Attribute {
	text := func(description string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: description + fmt.Sprintf(" At most %d characters. Changing it rewrites the file in place from "+
				"the copy on disk (nothing is downloaded or generated); when that copy is missing or changed, the image is "+
				"downloaded again. When its URL no longer serves it, a changed copy fails the plan, and a missing one (a "+
				"fresh runner) gets the new marking recorded, to be written once the file is back.", imageFileMarkingFieldMax),
			Optional:   true,
			Validators: []validator.String{stringvalidator.UTF8LengthBetween(1, imageFileMarkingFieldMax)},
		}
	}
	return map[string]schema.Attribute{
		"image_id": schema.StringAttribute{
			MarkdownDescription: "The Akool image job that `url` belongs to, typically the `id` of the `akool_generated_image`, " +
				"`akool_image_upscale` or `akool_image_variation` whose URL this is. When set, the provider reads the job " +
				"(a free read, no generation) to write its id and creation time into the marking and to choose the Digital " +
				"Source Type: `compositeWithTrainedAlgorithmicMedia` for a job made from a source image (for an upscale or " +
				"variation, when the grid it comes from was: its chain of parents is read too, at most 8 reads), " +
				"`trainedAlgorithmicMedia` otherwise. Without it the marking says `trainedAlgorithmicMedia` with no job details. " +
				"Changing it rewrites the file in place from the copy on disk.",
			Optional:   true,
			Validators: []validator.String{stringvalidator.RegexMatches(imageIDPattern, imageIDMessage)},
		},
		"marking": schema.SingleNestedAttribute{
			MarkdownDescription: "What the XMP packet written into the file says besides the AI-generated marking, and " +
				"whether it is written at all. Without this attribute the file is marked, with no publisher fields.",
			Optional: true,
			Attributes: map[string]schema.Attribute{
				"enabled": schema.BoolAttribute{
					MarkdownDescription: "Whether to write the marking; defaults to `true`. `false` saves the byte-exact download " +
						"(a marked copy on disk is unmarked in place when that gives back the download's checksum, and " +
						"downloaded again otherwise).",
					Optional: true,
				},
				"alt_text":         text("Alt text for screen readers, written as IPTC `Alt Text (Accessibility)` (`Iptc4xmpCore:AltTextAccessibility`)."),
				"description":      text("A description of the picture (`dc:description`)."),
				"headline":         text("A short headline (`photoshop:Headline`)."),
				"credit_line":      text("The credit line to show with the picture (`photoshop:Credit`)."),
				"copyright_notice": text("The copyright notice (`dc:rights`)."),
				"prompt": text("The prompt to embed as IPTC `AI Prompt Information` (`Iptc4xmpExt:AIPromptInformation`), " +
					"for example `akool_generated_image.hero.prompt`. Prompts can be confidential, so none is written " +
					"unless set here."),
			},
		},
		"download_sha256": computedString("Lowercase hex SHA-256 of the image as downloaded, before the marking was written. " +
			"Equal to `sha256` when the file is not marked."),
		"marked": computedBool("Whether the file at `path` carries the marking. `false` when `marking.enabled` is `false`, " +
			"or when the download cannot carry it (a GIF, or a file with a signed C2PA manifest), in which case the file is " +
			"the download and a warning said so."),
		"digital_source_type": computedString("The IPTC Digital Source Type that the marking gives the picture: " +
			"`http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia` or " +
			"`http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia` (see `image_id`)."),
		"image_created_at": computedString("When Akool created the job of `image_id`, in RFC 3339 format (UTC), as written " +
			"into the marking (`xmp:CreateDate`). Null without `image_id`, or when the job could not be read."),
	}
}
