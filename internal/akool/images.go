package akool

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

var errNoID = errors.New("an image id is required")

type createV3Body struct {
	Prompt      string `json:"prompt"`
	Scale       string `json:"scale,omitempty"`
	SourceImage string `json:"source_image,omitempty"`
	WebhookURL  string `json:"webhookUrl,omitempty"`
}

type createV4Body struct {
	Prompt         string   `json:"prompt"`
	ModelName      string   `json:"model_name,omitempty"`
	SourceImages   []string `json:"source_images,omitempty"`
	Scale          string   `json:"scale,omitempty"`
	Resolution     string   `json:"resolution,omitempty"`
	BatchQuantity  int      `json:"batch_quantity"`
	Similar        *float64 `json:"similar,omitempty"`
	NegativePrompt string   `json:"negative_prompt,omitempty"`
	WebhookURL     string   `json:"webhookurl,omitempty"` // all lower case on this endpoint
}

type buttonBody struct {
	ID         string `json:"_id"`
	Button     string `json:"button"`
	WebhookURL string `json:"webhookUrl,omitempty"`
}

// CreateV3 starts a v3 job (a 2x2 grid with U/V buttons). It spends credits.
func (c *Client) CreateV3(ctx context.Context, req CreateV3Request) (*Image, error) {
	return c.create(ctx, epCreateV3, createV3Body(req), req.WebhookURL)
}

// CreateV4 starts a v4 job for one image (batch_quantity 1). It spends credits.
func (c *Client) CreateV4(ctx context.Context, req CreateV4Request) (*Image, error) {
	return c.create(ctx, epCreateV4, createV4Body{
		Prompt:         req.Prompt,
		ModelName:      req.ModelName,
		SourceImages:   req.SourceImages,
		Scale:          req.Scale,
		Resolution:     req.Resolution,
		BatchQuantity:  1,
		Similar:        req.Similar,
		NegativePrompt: req.NegativePrompt,
		WebhookURL:     req.WebhookURL,
	}, req.WebhookURL)
}

// PressButton presses an upscale (U1-U4) or variation (V1-V4) button of a
// finished v3 grid. Akool answers with a new job. It spends credits.
func (c *Client) PressButton(ctx context.Context, req ButtonRequest) (*Image, error) {
	return c.create(ctx, epButton, buttonBody{ID: req.ParentID, Button: req.Button, WebhookURL: req.WebhookURL}, req.WebhookURL)
}

// create sends a create request and reads the new job from the answer. A
// job whose _id is usable is returned even when other fields of the answer
// are not: it was paid for, and losing its id would lose it. Those fields
// are logged and left blank for the next read to fill. For the same reason
// ctx stops the request only until it is sent: then it runs until Akool
// answers or its PaidRequestTimeout passes.
func (c *Client) create(ctx context.Context, ep endpoint, body any, webhook string) (*Image, error) {
	ctx = withWebhookSecret(ctx, webhook) // its query may hold a token
	env, err := c.call(ctx, ep, nil, body)
	if err != nil {
		return nil, err
	}
	img, problems, err := decodeImageParts(env.Data)
	if err == nil && strings.TrimSpace(img.ID) == "" {
		err = fmt.Errorf("the new job has no _id")
	}
	if err != nil {
		// Akool answered 1000, so a job was most likely started and paid
		// for, but without its id it cannot be followed.
		return nil, &UncertainError{Endpoint: ep.path, Reason: ReasonAcceptedUnusable, Err: &APIError{
			Code:       0,
			Message:    "Akool reported success but the answer could not be used: " + c.redactIn(ctx, err.Error()),
			HTTPStatus: env.Status,
			Endpoint:   ep.path,
		}}
	}
	if len(problems) > 0 {
		text := make([]string, len(problems))
		for i, p := range problems {
			text[i] = p.Error()
		}
		c.debug(ctx, "akool accepted the job, but parts of its answer are unusable; the next read fills them", map[string]any{
			"path": ep.path, "id": img.ID, "problems": c.redactIn(ctx, strings.Join(text, "; ")),
		})
	}
	if !img.Status.Known() {
		// Akool has just accepted the job: it is queueing, whatever the
		// answer said.
		img.Status = StatusQueueing
	}
	c.created.add(img.ID, c.now(), img.Status)
	return img, nil
}

// GetImage reads a job through infobymodelid. It works for ids from every
// create call and from PressButton.
func (c *Client) GetImage(ctx context.Context, id string) (*Image, error) {
	if strings.TrimSpace(id) == "" {
		return nil, fmt.Errorf("akool %s: %w", epImage.path, errNoID)
	}
	env, err := c.call(ctx, epImage, url.Values{"image_model_id": {id}}, nil)
	if err != nil {
		return nil, err
	}
	img, err := decodeImage(env.Data)
	if err != nil {
		return nil, &APIError{Code: 0, Message: err.Error(), HTTPStatus: env.Status, Endpoint: epImage.path}
	}
	switch {
	case img.ID == "":
		img.ID = id
	case !strings.EqualFold(img.ID, id):
		return nil, &APIError{Code: 0, Message: fmt.Sprintf("asked for image %s, Akool answered with image %s", id, cleanText(img.ID, 100, c.redact)),
			HTTPStatus: env.Status, Endpoint: epImage.path}
	}
	return img, nil
}

// Credit returns the account's credit balance (data.credit).
func (c *Client) Credit(ctx context.Context) (float64, error) {
	env, err := c.call(ctx, epCredit, nil, nil)
	if err != nil {
		return 0, err
	}
	credit, err := decodeCredit(env.Data)
	if err != nil {
		return 0, &APIError{Code: 0, Message: err.Error(), HTTPStatus: env.Status, Endpoint: epCredit.path}
	}
	return credit, nil
}
