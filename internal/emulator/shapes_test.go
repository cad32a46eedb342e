package emulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// The shapes that Akool's own demo and reports of live runs show beyond the
// documentation, each played on request.

func TestShapes_singleImagesLate(t *testing.T) {
	e := start(t, emulator.Options{QueueTime: time.Hour, Shapes: emulator.Shapes{SinglesDelay: time.Hour}})
	grid := e.createV3(map[string]string{"prompt": "a harbour"})
	e.emu.Clock().Advance(time.Hour + 2*time.Minute) // past the queue and process times
	got := e.job(grid.ID)
	if got.ImageStatus != 3 || got.Image == "" || len(got.Buttons) != 8 || len(got.UpscaledURLs) != 0 {
		t.Fatalf("grid at status 3 before its single images are due: %+v; want the grid and buttons, no upscaled_urls", got)
	}
	e.emu.Clock().Advance(time.Hour)
	if got = e.job(grid.ID); len(got.UpscaledURLs) != 4 {
		t.Fatalf("grid after the delay: %+v; want its four single images", got)
	}
	// A variation is a grid too; an upscale is a single picture.
	up, v := e.press(grid.ID, "U1"), e.press(grid.ID, "V1")
	e.emu.Clock().Advance(time.Hour + 2*time.Minute)
	if got := e.job(v.ID); got.ImageStatus != 3 || len(got.UpscaledURLs) != 0 {
		t.Errorf("variation before its single images are due: %+v", got)
	}
	if got := e.job(up.ID); got.ImageStatus != 3 || got.Image == "" || len(got.UpscaledURLs) != 0 {
		t.Errorf("upscale: %+v", got)
	}

	// Negative: listed with status 3.
	now := start(t, emulator.Options{Shapes: emulator.Shapes{SinglesDelay: -1}})
	g := now.createV3(map[string]string{"prompt": "a harbour"})
	now.emu.Clock().Advance(time.Second)
	if got := now.job(g.ID); got.ImageStatus != 3 || len(got.UpscaledURLs) != 4 {
		t.Errorf("grid with singles at once: %+v", got)
	}
}

func TestShapes_singleImagesNever(t *testing.T) {
	e := start(t, emulator.Options{Shapes: emulator.Shapes{SinglesNever: true}})
	grid := e.createV3(map[string]string{"prompt": "a harbour"})
	e.emu.Clock().Advance(72 * time.Hour)
	if got := e.job(grid.ID); got.ImageStatus != 3 || got.Image == "" || len(got.Buttons) != 8 || len(got.UpscaledURLs) != 0 {
		t.Fatalf("grid: %+v; want status 3 and never any upscaled_urls", got)
	}
}

func TestShapes_externalImg(t *testing.T) {
	e := start(t, emulator.Options{Shapes: emulator.Shapes{ExternalImage: true}})
	grid := e.createV3(map[string]string{"prompt": "a harbour"})
	e.finish()
	type urls struct {
		Image       string `json:"image"`
		ExternalImg string `json:"external_img"`
	}
	got := decode[urls](t, e.info(grid.ID).Data)
	if got.Image != "" || got.ExternalImg == "" {
		t.Fatalf("image = %q, external_img = %q; want the URL in external_img only", got.Image, got.ExternalImg)
	}
	e.wantStatus(got.ExternalImg, http.StatusOK)
}

func TestShapes_notFoundRightAfterCreate(t *testing.T) {
	e := start(t, emulator.Options{Shapes: emulator.Shapes{NotFoundFor: 10 * time.Second}})
	grid := e.createV3(map[string]string{"prompt": "a harbour"})
	if a := e.info(grid.ID); a.Code != 1008 {
		t.Fatalf("a read right after the create answered %d, want 1008", a.Code)
	}
	e.emu.Clock().Advance(11 * time.Second)
	if a := e.info(grid.ID); a.Code != 1000 {
		t.Fatalf("a read after the lag answered %d %q, want 1000", a.Code, a.Msg)
	}
}

func TestShapes_hideParent(t *testing.T) {
	e := start(t, emulator.Options{Shapes: emulator.Shapes{HideParent: true}})
	grid := e.createV3(map[string]string{"prompt": "a harbour"})
	e.finish()
	up := e.press(grid.ID, "U2")
	if up.ImageContentModelID != grid.ID || up.OpButton != "U2" {
		t.Errorf("create answer of the press: %+v; want the parent and button there", up)
	}
	e.finish()
	if got := e.job(up.ID); got.ImageStatus != 3 || got.ImageContentModelID != "" || got.OpButton != "" || got.OpButtonMessageID != "" {
		t.Errorf("infobymodelid of the press: %+v; want no parent fields", got)
	}
}

func TestShapes_v4OneUpscaledURL(t *testing.T) {
	e := start(t, emulator.Options{Shapes: emulator.Shapes{V4UpscaledURL: true}})
	img := e.createV4(map[string]any{"prompt": "a harbour", "resolution": "1080p"})
	e.finish()
	if got := e.job(img.ID); got.ImageStatus != 3 || len(got.UpscaledURLs) != 1 || got.UpscaledURLs[0] != got.Image {
		t.Errorf("v4 result: %+v; want upscaled_urls holding the picture itself", got)
	}
	plain := start(t, emulator.Options{})
	img = plain.createV4(map[string]any{"prompt": "a harbour"})
	plain.finish()
	if got := plain.job(img.ID); len(got.UpscaledURLs) != 0 {
		t.Errorf("v4 result by default: %+v; want no upscaled_urls", got)
	}
}
