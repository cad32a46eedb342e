package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Both resources that keep a local file import it by its path, which
// becomes id and path; a blank id is refused with an example of the
// resource's own import command.
func TestImportByPath(t *testing.T) {
	for _, r := range []resource.ResourceWithImportState{&imageFileResource{}, &imageRenditionResource{}} {
		var meta resource.MetadataResponse
		r.Metadata(context.Background(), resource.MetadataRequest{ProviderTypeName: "akool"}, &meta)
		t.Run(meta.TypeName, func(t *testing.T) {
			ctx := context.Background()
			resp := &resource.ImportStateResponse{State: testState(t, r, nil)}
			r.ImportState(ctx, resource.ImportStateRequest{ID: "./out/a.png"}, resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			for _, attr := range []string{"id", "path"} {
				var got string
				resp.Diagnostics.Append(resp.State.GetAttribute(ctx, path.Root(attr), &got)...)
				if got != "./out/a.png" {
					t.Errorf("%s = %q, want the import id", attr, got)
				}
			}

			resp = &resource.ImportStateResponse{State: testState(t, r, nil)}
			r.ImportState(ctx, resource.ImportStateRequest{ID: " "}, resp)
			if !resp.Diagnostics.HasError() || resp.Diagnostics[0].Summary() != "Invalid Import ID" ||
				!strings.Contains(resp.Diagnostics[0].Detail(), "terraform import "+meta.TypeName+".") {
				t.Errorf("a blank id gave %v, want Invalid Import ID with an example for %s", resp.Diagnostics, meta.TypeName)
			}
		})
	}
}
