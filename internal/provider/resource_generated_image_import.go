package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
	"github.com/akool-community/terraform-provider-akool/internal/localcopy"
)

// fillFromImport completes an imported resource from what Akool reports:
// prompt, source_image and model_name as Akool echoes them, and api_version
// and scale inferred from a finished result. Values already in state are
// never overwritten, and nothing is guessed: what cannot be told stays null.
// It returns the inputs left unread, which the plans of the adoption window
// take from the configuration in place (see importMarker).
func (r *generatedImageResource) fillFromImport(ctx context.Context, m *generatedImageModel, img *akool.Image) []string {
	if m.Prompt.IsNull() {
		m.Prompt = stringOrNull(echoedPrompt(img))
	}
	if m.SourceImage.IsNull() {
		m.SourceImage = stringOrNull(img.SourceImage)
	}
	if m.ModelName.IsNull() {
		m.ModelName = stringOrNull(img.ModelName)
	}
	if m.APIVersion.IsNull() {
		m.APIVersion = inferAPIVersion(img)
	}
	if m.Scale.IsNull() {
		m.Scale = r.inferScale(ctx, img)
	}

	// Akool never reports these.
	unread := []string{"resolution", "negative_prompt", "similarity"}
	// Akool's demo reads prompt, origin_prompt and source_image together:
	// when the prompt comes back, an absent source_image means text-to-image;
	// when it does not, nothing is known of either.
	echoes := echoedPrompt(img) != ""
	for _, a := range []struct {
		name   string
		value  types.String
		absent bool // whether a null value still says nothing
	}{
		{"prompt", m.Prompt, true},
		{"source_image", m.SourceImage, !echoes},
		{"model_name", m.ModelName, true},
		{"api_version", m.APIVersion, true},
		{"scale", m.Scale, true},
	} {
		if a.value.IsNull() && a.absent {
			unread = append(unread, a.name)
		}
	}
	return unread
}

// inferAPIVersion tells which create call made img, or null when the result
// does not say: a model name (which only v4 jobs have) means v4; a finished
// grid (buttons, single images) means v3, and a finished single picture v4,
// even with one upscaled URL, which live v4 results carry.
// An unfinished or failed job has no result to tell by.
func inferAPIVersion(img *akool.Image) types.String {
	switch {
	case img.ModelName != "":
		return types.StringValue(apiV4)
	case img.Status != akool.StatusCompleted:
		return types.StringNull()
	case len(img.Buttons) > 0 || len(img.UpscaledURLs) > 1:
		// A v4 result may list itself as its one upscaled URL.
		return types.StringValue(apiV3)
	default:
		return types.StringValue(apiV4)
	}
}

// refuseButtonResult adds an error and returns false when the imported job
// is the result of a button: such a job is not a generation from a prompt,
// and has its own resource types.
func refuseButtonResult(id string, img *akool.Image, diags *diag.Diagnostics) bool {
	if img.ParentID == "" && img.Button == "" {
		return true
	}
	target := "akool_image_upscale (buttons U1-U4) or akool_image_variation (buttons V1-V4)"
	if button := strings.ToUpper(strings.TrimSpace(img.Button)); buttonPattern.MatchString(button) {
		target = buttonKindFor(button[:1]).typeName()
	}
	diags.AddError("Cannot Import Image",
		fmt.Sprintf("Job %s is the result of button %s of image %s, not an image generated from a prompt, so it "+
			"cannot be imported as akool_generated_image. Import it as %s instead: terraform import <address> %s.",
			id, img.Button, img.ParentID, target, id))
	return false
}

// inferScale reads the picture's size and returns the matching scale, or
// null when the picture cannot be read or matches no scale.
func (r *generatedImageResource) inferScale(ctx context.Context, img *akool.Image) types.String {
	url := img.ImageURL
	if url == "" && len(img.UpscaledURLs) > 0 {
		url = img.UpscaledURLs[0]
	}
	if url == "" || r.data == nil || r.data.imageClient == nil {
		return types.StringNull()
	}
	var width, height int
	err := checkHTTPURL(url)
	if err == nil {
		width, height, err = localcopy.FetchSize(ctx, r.data.imageClient, url)
	}
	if err != nil {
		tflog.Debug(ctx, "Could not read the image's size to infer its scale", map[string]any{"error": err.Error()})
		return types.StringNull()
	}
	scale, ok := nearestScale(width, height)
	if !ok {
		tflog.Debug(ctx, "The image's size matches no scale", map[string]any{"width": width, "height": height})
		return types.StringNull()
	}
	return types.StringValue(scale)
}
