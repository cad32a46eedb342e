package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// waitForJob waits for the job of m until it is finished. A grid (a v3
// generated image or a variation) is finished once Akool lists its four
// single images too, so that upscaled_urls can be used in the same apply.
func waitForJob(ctx context.Context, client *akool.Client, m jobModel, id string) (*akool.Image, error) {
	return client.WaitFor(ctx, id, akool.WaitOptions{Grid: resultIsGrid(m), Progress: logProgress(ctx)})
}

// resultIsGrid reports whether the job of m makes a 2x2 grid.
func resultIsGrid(m jobModel) bool {
	switch m := m.(type) {
	case *generatedImageModel:
		return m.APIVersion.ValueString() == apiV3
	case *imageVariationModel:
		return true
	}
	return false
}

// singlesMissingWarning is the end of a wait for a grid that Akool finished
// without listing its single images in time: the grid exists and was paid
// for, so it is kept, and a later refresh fills upscaled_urls in.
func singlesMissingWarning(id string, missing *akool.SinglesMissingError) diag.Diagnostic {
	listed := "is empty"
	if n := len(missing.Image.UpscaledURLs); n > 0 {
		listed = fmt.Sprintf("holds only %d of the four", n)
	}
	return diag.NewWarningDiagnostic("Single Images Not Listed Yet",
		fmt.Sprintf("Akool finished image %s and its grid is saved in image_url, but upscaled_urls %s because Akool "+
			"has not listed the grid's single images yet (the provider read the image again for %s after it "+
			"completed). Nothing else is wrong: the image is kept, is not regenerated, and no credits are spent "+
			"again. A later refresh (the next terraform plan or terraform apply) fills upscaled_urls in without "+
			"planning any change; references to upscaled_urls in this apply saw what Akool had listed.",
			id, listed, missing.Waited.Round(time.Second)))
}
