package emulator

import (
	"fmt"
	"image"
	"net/http"
	"slices"
	"strings"
	"time"
)

// retention is how long Akool keeps a result.
const retention = 7 * 24 * time.Hour

// failTrigger in a prompt makes its job end in status 4.
const failTrigger = "[fail]"

// failPressesTrigger in a prompt makes the jobs that buttons of its result
// start end in status 4, while the result itself finishes.
const failPressesTrigger = "[fail-presses]"

// Credits deducted per job.
const (
	creditV3        = 4
	creditV4At1080p = 2
	creditV4At4k    = 4
	creditUpscale   = 1
	creditVariation = 4
)

// Fixed values Akool's answers carry for image jobs.
const (
	typeImage       = 3
	fromOpenAPI     = 1
	faceswapQuality = 2
	providerV4      = "wavespeed"
	subTypeText     = 40001
	subTypeImage    = 40002
	modelText       = "wavespeed-ai/flux-krea-dev-lora"
	modelImage      = "wavespeed-ai/flux-kontext-dev"
)

var allButtons = []string{"U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4"}

type jobKind int

const (
	kindV3        jobKind = iota // a 2x2 grid from createbyprompt
	kindV4                       // a single picture from createBySourcePrompt
	kindUpscale                  // a larger single picture of one grid sub-image (U1-U4)
	kindVariation                // a new grid related to one grid sub-image (V1-V4)
)

// grid reports whether the job's result is a 2x2 grid with buttons and
// upscaled_urls.
func (k jobKind) grid() bool { return k == kindV3 || k == kindVariation }

// job is one generation record. Fields other than used are fixed at creation.
type job struct {
	id             string
	kind           jobKind
	created        time.Time
	queue, process time.Duration
	prompt         string // processed prompt
	originPrompt   string // prompt as sent
	sourceImage    string
	scale          string
	resolution     string // v4
	modelName      string // v4
	credit         int
	fails          bool
	parentID       string // button jobs
	button         string // button jobs
	parentMsgID    string // button jobs: the parent's message id
	messageID      string // the id buttons pressed on this job refer to
	used           []string
	scenes         [4]scene // grid jobs: the four sub-images
	scene          scene    // single-picture jobs

	reads     int       // infobymodelid answers about this job
	endedRead time.Time // when infobymodelid first answered its final status (3 or 4); zero until then
}

// status is the job's image_status at now.
func (j *job) status(now time.Time) int {
	elapsed := now.Sub(j.created)
	switch {
	case elapsed < j.queue:
		return 1
	case elapsed < j.queue+j.process:
		return 2
	case j.fails:
		return 4
	default:
		return 3
	}
}

func (j *job) expired(now time.Time) bool { return now.Sub(j.created) >= retention }

// jobView is a job as Akool's JSON shows it, both in create answers and in
// infobymodelid.
type jobView struct {
	ID                  string   `json:"_id"`
	UID                 int      `json:"uid"`
	CreateTime          int64    `json:"create_time"`
	Type                int      `json:"type"`
	From                int      `json:"from"`
	ImageStatus         int      `json:"image_status"`
	Image               string   `json:"image"`
	ExternalImg         string   `json:"external_img,omitempty"`
	DeductionCredit     int      `json:"deduction_credit"`
	Buttons             []string `json:"buttons"`
	UsedButtons         []string `json:"used_buttons"`
	UpscaledURLs        []string `json:"upscaled_urls"`
	FaceswapQuality     int      `json:"faceswap_quality"`
	Prompt              string   `json:"prompt"`
	OriginPrompt        string   `json:"origin_prompt"`
	SourceImage         string   `json:"source_image"`
	ImageContentModelID string   `json:"image_content_model_id,omitempty"`
	OpButton            string   `json:"op_button,omitempty"`
	OpButtonMessageID   string   `json:"op_buttonMessageId,omitempty"`
	TeamID              string   `json:"team_id,omitempty"`
	ImageSubStatus      *int     `json:"image_sub_status,omitempty"`
	ModelName           string   `json:"model_name,omitempty"`
	Provider            string   `json:"provider,omitempty"`
	SubType             int      `json:"sub_type,omitempty"`
	FileName            string   `json:"file_name,omitempty"`
}

// viewLocked renders j as seen at now. A create answer (created true) always
// shows status 1 and empty results, as Akool's create answers do. base is
// scheme://host of the request, for absolute image URLs.
func (e *Emulator) viewLocked(j *job, base string, now time.Time, created bool) jobView {
	st := 1
	if !created {
		st = j.status(now)
	}
	v := jobView{
		ID:              j.id,
		UID:             e.uid,
		CreateTime:      j.created.UnixMilli(),
		Type:            typeImage,
		From:            fromOpenAPI,
		ImageStatus:     st,
		DeductionCredit: j.credit,
		Buttons:         []string{},
		UsedButtons:     slices.Clone(j.used),
		UpscaledURLs:    []string{},
		FaceswapQuality: faceswapQuality,
		Prompt:          j.prompt,
		OriginPrompt:    j.originPrompt,
		SourceImage:     j.sourceImage,
	}
	if v.UsedButtons == nil {
		v.UsedButtons = []string{}
	}
	if st == 3 {
		v.Image = fmt.Sprintf("%s%s%s.%s", base, imagesPrefix, j.id, e.format.ext)
		if j.kind.grid() {
			v.Buttons = slices.Clone(allButtons)
			// The single images may be listed a while after status 3.
			sh := e.shapes
			if !sh.SinglesNever && !now.Before(j.created.Add(j.queue+j.process+sh.SinglesDelay)) {
				for n := 1; n <= 4; n++ {
					v.UpscaledURLs = append(v.UpscaledURLs, fmt.Sprintf("%s%s%s/%d.%s", base, imagesPrefix, j.id, n, e.format.ext))
				}
			}
		}
		if j.kind == kindV4 && e.shapes.V4UpscaledURL {
			v.UpscaledURLs = []string{v.Image}
		}
		if e.shapes.ExternalImage {
			v.Image, v.ExternalImg = "", v.Image
		}
	}
	if j.parentID != "" && (created || !e.shapes.HideParent) {
		v.ImageContentModelID = j.parentID
		v.OpButton = j.button
		v.OpButtonMessageID = j.parentMsgID
	}
	// The v4 fields are only in the create answer: Akool documents none of
	// them among infobymodelid's fields, so a client must not rely on reading
	// them back (model_name in particular).
	if j.kind == kindV4 && created {
		sub := st
		v.ModelName = j.modelName
		v.TeamID = e.teamID
		v.ImageSubStatus = &sub
		v.Provider = providerV4
		v.SubType = subTypeText
		if j.modelName == modelImage {
			v.SubType = subTypeImage
		}
		v.FileName = j.id + "." + e.format.ext
	}
	return v
}

// baseURL is scheme://host of the request, for the absolute image URLs.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "127.0.0.1"
	}
	return scheme + "://" + host
}

// picture returns the cache key and a drawing function for the job's main
// picture (n == 0) or one of its grid sub-images (n = 1..4); ok is false when
// the job has no such picture.
func (j *job) picture(n int) (key string, draw func() *image.RGBA, ok bool) {
	key = fmt.Sprintf("%s/%d", j.id, n)
	text := caption(j.prompt)
	switch {
	case n == 0 && j.kind.grid():
		scenes := j.scenes
		sw, sh := pictureSize(j.scale, subImageLongSide)
		return key, func() *image.RGBA { return drawGrid(scenes, sw, sh, text) }, true
	case n >= 1 && n <= 4 && j.kind.grid():
		s := j.scenes[n-1]
		w, h := pictureSize(j.scale, subImageLongSide)
		return key, func() *image.RGBA { return drawSingle(s, w, h, text) }, true
	case n == 0 && j.kind == kindUpscale:
		s := j.scene
		w, h := pictureSize(j.scale, upscaleLongSide)
		return key, func() *image.RGBA { return drawSingle(s, w, h, text) }, true
	case n == 0 && j.kind == kindV4:
		s := j.scene
		long := v4LongSide4k
		if j.resolution == "1080p" {
			long = v4LongSide1080p
		}
		w, h := pictureSize(j.scale, long)
		return key, func() *image.RGBA { return drawSingle(s, w, h, text) }, true
	}
	return "", nil, false
}

// processPrompt is what Akool's prompt field holds: the prompt as sent with
// its whitespace collapsed.
func processPrompt(p string) string { return strings.Join(strings.Fields(p), " ") }

func failsOn(prompt string) bool { return strings.Contains(strings.ToLower(prompt), failTrigger) }

// pressesFailOn reports whether the presses of the buttons of a job made
// from prompt fail.
func pressesFailOn(prompt string) bool {
	return strings.Contains(strings.ToLower(prompt), failPressesTrigger)
}
