package emulator

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

var (
	scalesV3    = []string{"1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3"}
	scalesV4    = []string{"1:1", "3:2", "4:3", "16:9", "2:3", "3:4", "9:16", "Original"}
	resolutions = []string{"1080p", "4k"}
	models      = []string{modelText, modelImage}
	buttonName  = regexp.MustCompile(`^[UV][1-4]$`)
)

// createRequest is the body of a create request. check refuses, with the
// message of a 1003 answer, what Akool documents as invalid, and fills in
// Akool's documented defaults.
type createRequest interface {
	check() error
}

// createV3Request is the body of createbyprompt.
type createV3Request struct {
	Prompt      string `json:"prompt"`
	Scale       string `json:"scale"`
	SourceImage string `json:"source_image"`
	WebhookURL  string `json:"webhookUrl"`
}

func (req *createV3Request) check() error {
	if strings.TrimSpace(req.Prompt) == "" {
		return errors.New("prompt cannot be empty")
	}
	if err := oneOf("scale", &req.Scale, "1:1", scalesV3); err != nil {
		return err
	}
	if err := optionalURL("source_image", req.SourceImage); err != nil {
		return err
	}
	return optionalURL("webhookUrl", req.WebhookURL)
}

// createV4Request is the body of createBySourcePrompt.
type createV4Request struct {
	Prompt         string   `json:"prompt"`
	ModelName      string   `json:"model_name"`
	SourceImages   []string `json:"source_images"`
	Scale          string   `json:"scale"`
	Resolution     string   `json:"resolution"`
	BatchQuantity  *int     `json:"batch_quantity"`
	Similar        *float64 `json:"similar"`
	NegativePrompt string   `json:"negative_prompt"`
	WebhookURL     string   `json:"webhookurl"`

	batch  int    // how many images, from batch_quantity
	source string // the first source image; "" for text-to-image
}

func (req *createV4Request) check() error {
	if strings.TrimSpace(req.Prompt) == "" {
		return errors.New("prompt cannot be empty")
	}
	for _, s := range req.SourceImages {
		if !validURL(s) {
			return errors.New("source_images must hold http or https URLs")
		}
	}
	imageToImage := len(req.SourceImages) > 0
	if imageToImage {
		req.source = req.SourceImages[0]
	}
	switch {
	case req.ModelName == "" && imageToImage:
		req.ModelName = modelImage
	case req.ModelName == "":
		req.ModelName = modelText
	case !slices.Contains(models, req.ModelName):
		return fmt.Errorf("model_name must be one of %s", strings.Join(models, ", "))
	case req.ModelName == modelImage && !imageToImage:
		return fmt.Errorf("model_name %s needs source_images", modelImage)
	}
	if err := oneOf("scale", &req.Scale, "1:1", scalesV4); err != nil {
		return err
	}
	if req.Scale == "Original" && !imageToImage {
		return errors.New("scale Original is only for image-to-image (source_images)")
	}
	if err := oneOf("resolution", &req.Resolution, "4k", resolutions); err != nil {
		return err
	}
	req.batch = 1
	if req.BatchQuantity != nil {
		req.batch = *req.BatchQuantity
		if req.batch < 1 || req.batch > 4 {
			return errors.New("batch_quantity must be between 1 and 4")
		}
	}
	if req.Similar != nil && (*req.Similar < 0 || *req.Similar > 1) {
		return errors.New("similar must be between 0 and 1")
	}
	return optionalURL("webhookurl", req.WebhookURL)
}

// buttonRequest is the body of createbybutton.
type buttonRequest struct {
	ID         string `json:"_id"`
	Button     string `json:"button"`
	WebhookURL string `json:"webhookUrl"`
}

func (req *buttonRequest) check() error {
	if req.ID == "" {
		return errors.New("_id cannot be empty")
	}
	if !buttonName.MatchString(req.Button) {
		return fmt.Errorf("button must be one of %s", strings.Join(allButtons, ", "))
	}
	return optionalURL("webhookUrl", req.WebhookURL)
}

// oneOf sets *v to def when it is empty, and refuses it when it is not one of
// allowed.
func oneOf(name string, v *string, def string, allowed []string) error {
	if *v == "" {
		*v = def
	}
	if !slices.Contains(allowed, *v) {
		return fmt.Errorf("%s must be one of %s", name, strings.Join(allowed, ", "))
	}
	return nil
}

// optionalURL refuses a value that is set but is not an http or https URL.
func optionalURL(name, s string) error {
	if s != "" && !validURL(s) {
		return fmt.Errorf("%s must be an http or https URL", name)
	}
	return nil
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
