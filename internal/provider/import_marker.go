package provider

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// privateKeyImported marks, in a resource's private state, a resource in the
// adoption window after an import. Its value is an importMarker in JSON.
const privateKeyImported = "imported"

// importMarker is what the private state remembers of an import until an
// apply has adopted the configuration.
//
// The window: ImportState sets the marker and the import's own read lists
// what it could not read back from Akool. Refreshes keep it as it is, whether
// or not they are saved (terraform apply -refresh-only, terraform refresh, a
// failed apply): a refresh says nothing about the configuration. Only Update
// removes it: by then an apply has recorded the configuration's values in
// state, and a change of an input is a real change that generates a new image.
type importMarker struct {
	// Unread lists the inputs the import could not read back from Akool; in
	// the window, a plan takes them from the configuration in place.
	Unread []string `json:"unread"`
}

// privateState is the part of the framework's private state data that this
// package reads (the framework's type is internal to it).
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// privateStateWriter is the part of the framework's private state data that
// this package writes.
type privateStateWriter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// importMarkerFrom returns the import marker of the private state, and
// whether there is one.
func importMarkerFrom(ctx context.Context, private privateState) (importMarker, bool) {
	var m importMarker
	if private == nil {
		return m, false
	}
	value, diags := private.GetKey(ctx, privateKeyImported)
	if diags.HasError() || len(value) == 0 || json.Unmarshal(value, &m) != nil {
		return importMarker{}, false
	}
	return m, true
}

// isImported reports whether the private state marks a resource in the
// adoption window after an import.
func isImported(ctx context.Context, private privateState) bool {
	_, ok := importMarkerFrom(ctx, private)
	return ok
}

// unread reports whether the import could not read the attribute at p back.
func (m importMarker) unread(p path.Path) bool {
	return slices.Contains(m.Unread, p.String())
}

// setImportMarker writes m to the private state, or removes the marker when
// m is nil.
func setImportMarker(ctx context.Context, private privateStateWriter, m *importMarker) diag.Diagnostics {
	if m == nil {
		return private.SetKey(ctx, privateKeyImported, nil)
	}
	value, err := json.Marshal(m)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to Record Import", "Encoding the import marker failed: "+err.Error()+". This is a bug in the provider; please report it.")
		return diags
	}
	return private.SetKey(ctx, privateKeyImported, value)
}
