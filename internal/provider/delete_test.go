package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Deleting an image resource sends nothing to Akool, but a state it cannot
// read is reported rather than ignored, and a readable one is removed
// without a diagnostic.
func TestImageResourcesDelete_reportStateErrors(t *testing.T) {
	ctx := context.Background()
	for name, newResource := range map[string]func() resource.Resource{
		"akool_generated_image": NewGeneratedImageResource,
		"akool_image_upscale":   NewImageUpscaleResource,
		"akool_image_variation": NewImageVariationResource,
	} {
		t.Run(name, func(t *testing.T) {
			r := newResource()
			good := testState(t, r, map[string]any{"id": "662a10df4197b3af58532e89"})
			resp := &resource.DeleteResponse{State: good}
			r.Delete(ctx, resource.DeleteRequest{State: good}, resp)
			if resp.Diagnostics.HasError() {
				t.Errorf("deleting a readable state: %v", resp.Diagnostics)
			}

			// A state whose id is a number does not match the schema.
			badType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.Number}}
			bad := tfsdk.State{Schema: good.Schema, Raw: tftypes.NewValue(badType, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.Number, 7)})}
			resp = &resource.DeleteResponse{State: bad}
			r.Delete(ctx, resource.DeleteRequest{State: bad}, resp)
			if !resp.Diagnostics.HasError() {
				t.Error("deleting an unreadable state reported no error")
			}
		})
	}
}
