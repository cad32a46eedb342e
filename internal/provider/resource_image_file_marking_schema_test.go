package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy/localcopytest"
)

// markingTextFields are the text fields of the marking block.
var markingTextFields = []string{"alt_text", "description", "headline", "credit_line", "copyright_notice", "prompt"}

// The marking's texts are limited in characters, as their description says,
// not in bytes: 2000 characters of any script are accepted, 2001 are not.
func TestImageFileMarkingFieldLimitCountsCharacters(t *testing.T) {
	marking, _ := imageFileMarkingAttributes()["marking"].(schema.SingleNestedAttribute)
	for _, name := range markingTextFields {
		attr, _ := marking.Attributes[name].(schema.StringAttribute)
		for value, wantError := range map[string]bool{
			strings.Repeat("é", imageFileMarkingFieldMax):   false,
			strings.Repeat("😀", imageFileMarkingFieldMax):   false,
			strings.Repeat("a", imageFileMarkingFieldMax+1): true,
			strings.Repeat("é", imageFileMarkingFieldMax+1): true,
		} {
			var resp validator.StringResponse
			for _, v := range attr.Validators {
				v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root(name),
					ConfigValue: types.StringValue(value)}, &resp)
			}
			if resp.Diagnostics.HasError() != wantError {
				t.Errorf("%s: %d characters (%d bytes): error %v, want %v", name, len([]rune(value)), len(value),
					resp.Diagnostics.HasError(), wantError)
			}
		}
		if !strings.Contains(attr.MarkdownDescription, "characters") {
			t.Errorf("%s: the description does not give the limit in characters", name)
		}
	}
}

// The longest marking the schema accepts, in the characters that take the
// most bytes once escaped, still fits in the one segment a JPEG gives it.
func TestImageFileMarkingLongestPacketFitsJPEG(t *testing.T) {
	for _, worst := range []string{"&", "\"", "\n", "😀", "\x01"} {
		text := strings.Repeat(worst, imageFileMarkingFieldMax)
		packet := imagemeta.Packet(imagemeta.Marking{
			DigitalSourceType: imagemeta.CompositeWithTrainedAlgorithmicMedia,
			CreatorTool:       "Akool via terraform-provider-akool 10.100.1000-rc.1+abcdef",
			AISystem:          "Akool", JobID: "662a10df4197b3af58532e89",
			AltText: text, Description: text, Headline: text, Credit: text, Copyright: text, Prompt: text,
		})
		if _, err := imagemeta.Embed(localcopytest.Picture(t, "jpeg", 4, 4), packet); err != nil {
			t.Errorf("%q x %d in every field (a packet of %d bytes): %v", worst, imageFileMarkingFieldMax, len(packet), err)
		}
	}
}
