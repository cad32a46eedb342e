package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/akool-community/terraform-provider-akool/internal/localcopy"
)

// What the resources that keep a local file (akool_image_file and
// akool_image_rendition) share: the walk's written paths, an id that is the
// path, the plan's check that the path can be written, and an import by
// path.

// written is the walk's record of written paths, or nil before Configure.
func (r *configuredResource) written() *localcopy.Written {
	if r.data == nil {
		return nil
	}
	return r.data.written
}

// descPathID is the id of a resource that manages the file at its path.
const descPathID = "The `path` as configured: the file this resource manages."

// checkWritablePath fails the plan when the file at filePath cannot be
// written. It only looks: nothing is created at plan time. kind completes
// the summary ("Unable to Write Image File"), what names the file in the
// detail ("The image") and next says what happened and what to do.
func checkWritablePath(filePath, kind, what, next string, diags *diag.Diagnostics) {
	if err := localcopy.CheckWritable(filePath); err != nil {
		diags.AddAttributeError(path.Root("path"), "Unable to Write "+kind,
			fmt.Sprintf("%s cannot be written to %q: %v. %s", what, filePath, err, next))
	}
}

// importByPath adopts the file an import id names: it becomes both id and
// path, and Read then describes the file. typeName and example (the
// arguments of a terraform import) complete the message for a blank id.
func importByPath(ctx context.Context, typeName, example string, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if strings.TrimSpace(req.ID) == "" {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import id of %s is the path of the file, as in the configuration's path argument, "+
				"for example: terraform import %s.", typeName, example))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("path"), req.ID)...)
}
