package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

func TestPressRefusal(t *testing.T) {
	const parent = "662a10df4197b3af58532e89"
	all := []string{"U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4"}
	tests := []struct {
		name      string
		img       akool.Image
		button    string
		attribute string
		summary   string // "" means the press may go ahead
		mentions  []string
	}{
		{name: "grid", img: akool.Image{Status: akool.StatusCompleted, Buttons: all}, button: "U2"},
		{name: "other button used", img: akool.Image{Status: akool.StatusCompleted, Buttons: all, UsedButtons: []string{"U1"}}, button: "U2"},
		{name: "queueing", img: akool.Image{Status: akool.StatusQueueing}, button: "U2", attribute: "image_id",
			summary: "Parent Image Not Finished", mentions: []string{parent, "queueing", "U2", "until it has finished", "Nothing was sent"}},
		{name: "processing", img: akool.Image{Status: akool.StatusProcessing}, button: "V1", attribute: "image_id",
			summary: "Parent Image Not Finished", mentions: []string{"processing", "V1"}},
		{name: "failed", img: akool.Image{Status: akool.StatusFailed}, button: "V1", attribute: "image_id",
			summary: "Parent Image Failed", mentions: []string{parent, "no buttons"}},
		{name: "used", img: akool.Image{Status: akool.StatusCompleted, Buttons: all, UsedButtons: []string{"V2"}}, button: "V2",
			attribute: "index", summary: "Button Already Pressed",
			mentions: []string{"Button V2 of image " + parent, "this or another configuration", "refuses", "terraform import <address> <id of that job>", "Nothing was sent"}},
		{name: "used and no longer offered", img: akool.Image{Status: akool.StatusCompleted, Buttons: []string{"U1"}, UsedButtons: []string{"u2"}},
			button: "U2", attribute: "index", summary: "Button Already Pressed"},
		{name: "v4", img: akool.Image{Status: akool.StatusCompleted, ModelName: "m"}, button: "U1", attribute: "image_id",
			summary: "Button Not Offered", mentions: []string{parent, "it offers no buttons)", "v4 images"}},
		{name: "upscale", img: akool.Image{Status: akool.StatusCompleted, ParentID: "aaaaaaaaaaaaaaaaaaaaaaaa", Button: "U3"}, button: "U1",
			attribute: "image_id", summary: "Button Not Offered", mentions: []string{"result of button U3 of image aaaaaaaaaaaaaaaaaaaaaaaa"}},
		{name: "partial buttons", img: akool.Image{Status: akool.StatusCompleted, Buttons: []string{"U1", "U2"}}, button: "V1",
			attribute: "image_id", summary: "Button Not Offered", mentions: []string{"it offers U1, U2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attribute, summary, detail := pressRefusal(&tt.img, parent, tt.button)
			if summary != tt.summary || attribute != tt.attribute {
				t.Fatalf("pressRefusal = (%q, %q), want (%q, %q); detail: %s", attribute, summary, tt.attribute, tt.summary, detail)
			}
			for _, want := range tt.mentions {
				if !strings.Contains(detail, want) {
					t.Errorf("detail does not mention %q: %s", want, detail)
				}
			}
		})
	}
}

func TestAddPressError(t *testing.T) {
	const parent = "662a10df4197b3af58532e89"
	tests := []struct {
		name     string
		kind     *buttonKind
		err      error
		summary  string
		mentions []string
	}{
		{name: "already operated", kind: upscaleKind,
			err:      &akool.APIError{Code: akool.CodeAlreadyOperated, Message: "already operated", Endpoint: "/createbybutton"},
			summary:  "Unable to Upscale Image",
			mentions: []string{"button U2 of image " + parent, "code 1011", `"already operated"`, "already done", "terraform import"}},
		{name: "cannot operate", kind: variationKind,
			err:      &akool.APIError{Code: akool.CodeCannotOperate, Message: "cannot operate", Endpoint: "/createbybutton"},
			summary:  "Unable to Create Image Variation",
			mentions: []string{"code 1010", "cannot be operated on", "finished grid"}},
		{name: "no credit", kind: variationKind,
			err:      &akool.APIError{Code: akool.CodeNoCredit, Message: "quota", Endpoint: "/createbybutton"},
			summary:  "Unable to Create Image Variation",
			mentions: []string{"code 1006", "top it up"}},
		{name: "network", kind: upscaleKind, err: fmt.Errorf("dial tcp: connection refused"),
			summary: "Unable to Upscale Image", mentions: []string{"before Akool accepted it", "connection refused", "Nothing was pressed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.Diagnostics
			button := tt.kind.button(2)
			tt.kind.addPressError(context.Background(), &diags, nil, parent, button, tt.err)
			if len(diags.Errors()) != 1 || diags.Errors()[0].Summary() != tt.summary {
				t.Fatalf("diagnostics = %v, want one error %q", diags, tt.summary)
			}
			for _, want := range tt.mentions {
				if !strings.Contains(diags.Errors()[0].Detail(), want) {
					t.Errorf("detail does not mention %q: %s", want, diags.Errors()[0].Detail())
				}
			}
		})
	}
}

func TestAdoptImported(t *testing.T) {
	const id, parent = "662a10df4197b3af58532e89", "aaaaaaaaaaaaaaaaaaaaaaaa"
	tests := []struct {
		name         string
		kind         *buttonKind
		img          akool.Image
		wantIndex    int64  // 0 means an error is expected, unless wantNull
		mentions     string // in the error
		wantNull     bool   // image_id, index and button stay null
		wantNoParent bool   // image_id stays null
	}{
		{name: "upscale", kind: upscaleKind, img: akool.Image{ParentID: parent, Button: "U3"}, wantIndex: 3},
		{name: "variation, lower case", kind: variationKind, img: akool.Image{ParentID: parent, Button: " v2"}, wantIndex: 2},
		{name: "wrong kind", kind: upscaleKind, img: akool.Image{ParentID: parent, Button: "V2"}, mentions: "Import it as akool_image_variation"},
		{name: "a grid as an upscale", kind: upscaleKind, img: akool.Image{Buttons: []string{"U1", "V1"}}, mentions: "so it is a grid"},
		// What Akool leaves out stays null, for the configuration to fill.
		{name: "no parent and button", kind: variationKind, img: akool.Image{Buttons: []string{"U1"}}, wantNull: true},
		{name: "no parent and button, upscale", kind: upscaleKind, img: akool.Image{}, wantNull: true},
		{name: "no parent", kind: variationKind, img: akool.Image{Button: "V1"}, wantIndex: 1, wantNoParent: true},
		{name: "unknown button", kind: upscaleKind, img: akool.Image{ParentID: parent, Button: "U9"}, mentions: `"U9"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := imageButtonModel{jobResultModel: jobResultModel{ID: types.StringValue(id)}}
			var diags diag.Diagnostics
			ok := tt.kind.adoptImported(&m, &tt.img, &diags)
			if tt.wantNull {
				if !ok || diags.HasError() || !m.ImageID.IsNull() || !m.Index.IsNull() || !m.Button.IsNull() {
					t.Fatalf("adoptImported = %v, %v, image_id %s, index %s, button %s; want success with all three null",
						ok, diags, m.ImageID, m.Index, m.Button)
				}
				return
			}
			if tt.wantIndex == 0 {
				if ok || !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), tt.mentions) {
					t.Fatalf("adoptImported = %v, %v; want an error mentioning %q", ok, diags, tt.mentions)
				}
				return
			}
			if !ok || diags.HasError() {
				t.Fatalf("adoptImported = %v, %v", ok, diags)
			}
			wantButton := tt.kind.button(tt.wantIndex)
			if tt.wantNoParent {
				if !m.ImageID.IsNull() || m.Index.ValueInt64() != tt.wantIndex || m.Button.ValueString() != wantButton {
					t.Errorf("image_id, index, button = %s, %s, %s; want null, %d, %s", m.ImageID, m.Index, m.Button, tt.wantIndex, wantButton)
				}
				return
			}
			if m.ImageID.ValueString() != parent || m.Index.ValueInt64() != tt.wantIndex || m.Button.ValueString() != wantButton {
				t.Errorf("image_id, index, button = %s, %s, %s; want %s, %d, %s", m.ImageID, m.Index, m.Button, parent, tt.wantIndex, wantButton)
			}
		})
	}
}
