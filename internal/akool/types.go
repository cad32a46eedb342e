package akool

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Status is Akool's image_status of a job.
type Status int

// The job states Akool documents for image_status.
const (
	StatusQueueing   Status = 1
	StatusProcessing Status = 2
	StatusCompleted  Status = 3
	StatusFailed     Status = 4
)

// String gives the lower-case name the provider shows users.
func (s Status) String() string {
	switch s {
	case StatusQueueing:
		return "queueing"
	case StatusProcessing:
		return "processing"
	case StatusCompleted:
		return "completed"
	case StatusFailed:
		return "failed"
	default:
		return fmt.Sprintf("unknown(%d)", int(s))
	}
}

// Terminal reports whether the job will not change any more.
func (s Status) Terminal() bool { return s == StatusCompleted || s == StatusFailed }

// Known reports whether s is one of the documented states.
func (s Status) Known() bool { return s >= StatusQueueing && s <= StatusFailed }

// Image is one generation job as Akool describes it: a v3 grid, a v4 single
// image, or the result of pressing a button (upscale or variation).
type Image struct {
	ID              string    // _id, a 24-hex-digit ObjectId
	ParentID        string    // image_content_model_id: the image whose button made this one
	Button          string    // op_button: the button that made this one (U1-U4, V1-V4)
	Prompt          string    // prompt, when Akool echoes it
	OriginPrompt    string    // origin_prompt, when Akool echoes it
	SourceImage     string    // source_image, when Akool echoes it
	Status          Status    // image_status
	ImageURL        string    // image: set once Status is StatusCompleted
	UpscaledURLs    []string  // upscaled_urls: the grid's single images (v3)
	Buttons         []string  // buttons offered by a finished grid
	UsedButtons     []string  // buttons already pressed
	DeductionCredit float64   // deduction_credit: credits this job cost
	CreatedAt       time.Time // create_time (epoch milliseconds), UTC
	ModelName       string    // model_name (v4)
}

// CreateV3Request is the body of POST /api/open/v3/content/image/createbyprompt.
type CreateV3Request struct {
	Prompt      string
	Scale       string // "" lets Akool default to 1:1
	SourceImage string // "" for text-to-image
	WebhookURL  string
}

// CreateV4Request is the body of POST /api/open/v4/content/image/createBySourcePrompt.
// The client always asks for one image (batch_quantity 1).
type CreateV4Request struct {
	Prompt         string
	ModelName      string
	SourceImages   []string
	Scale          string
	Resolution     string   // "1080p" or "4k"; "" lets Akool default
	Similar        *float64 // image-to-image only; nil lets Akool default
	NegativePrompt string
	WebhookURL     string
}

// ButtonRequest is the body of POST /api/open/v3/content/image/createbybutton.
type ButtonRequest struct {
	ParentID   string // _id of the image whose button is pressed
	Button     string // U1-U4 or V1-V4
	WebhookURL string
}

// Akool's business codes that callers branch on.
const (
	CodeOK              = 1000
	CodeInvalidParam    = 1003
	CodeTooFrequent     = 1005
	CodeNoCredit        = 1006
	CodeNotFound        = 1008
	CodeNoPermission    = 1009
	CodeCannotOperate   = 1010
	CodeAlreadyOperated = 1011
	CodeInvalidToken    = 1101
	CodeNoAuth          = 1102
	CodeNoQuota         = 1104
	CodeGenerationError = 1108
	CodeBanned          = 1200
)

// APIError is any answer from Akool whose code is not 1000, whatever the HTTP
// status, and any answer that could not be understood (Code is then 0).
type APIError struct {
	Code       int    // Akool's business code; 0 when the body held none
	Message    string // Akool's msg, or a description of what was wrong with the body
	HTTPStatus int
	Endpoint   string // the API path, without host or query (no secrets)
	URL        string // the full URL requested, without query; empty when not known
}

// WrongRoute reports an HTTP 404: Akool answers unknown API paths with it
// (an unknown id is code 1008 at HTTP 200), so the base URL is likely wrong.
func (e *APIError) WrongRoute() bool { return e.HTTPStatus == http.StatusNotFound }

func (e *APIError) Error() string {
	if e.Code == 0 {
		return fmt.Sprintf("akool %s: HTTP %d: %s", e.Endpoint, e.HTTPStatus, e.Message)
	}
	return fmt.Sprintf("akool %s: code %d: %s (HTTP %d)", e.Endpoint, e.Code, e.Message, e.HTTPStatus)
}

// Meaning says in a sentence what Akool's code means and what the user can do.
func (e *APIError) Meaning() string {
	switch e.Code {
	case CodeInvalidParam:
		return "Akool rejected a parameter as missing or invalid; check the arguments."
	case CodeTooFrequent:
		return "Akool is rate limiting this account; wait a little and try again, or lower the request rate."
	case CodeNoCredit, CodeNoQuota:
		return "The Akool account does not have enough credit; top it up and apply again."
	case CodeNotFound:
		return "Akool does not know this id: it never existed, belongs to another account, or expired (Akool keeps images for 7 days)."
	case CodeNoPermission:
		return "The credentials have no permission for this content."
	case CodeCannotOperate:
		return "Akool says this content cannot be operated on (for example a button the image does not offer)."
	case CodeAlreadyOperated:
		return "Akool says this was already done (for example a button that was already pressed)."
	case CodeInvalidToken:
		return "Akool rejected the credentials as invalid or expired; check the API key, client id and secret, or token."
	case CodeNoAuth:
		return "Akool received no credentials; configure an API key, client id and secret, or token."
	case CodeGenerationError:
		return "Akool could not generate the image; try again later."
	case CodeBanned:
		return "Akool says this account is banned; contact Akool support."
	case 0:
		return "Akool's answer could not be understood; this is usually a temporary fault of the service or a proxy in between."
	default:
		return "Akool returned an error code this provider does not know."
	}
}

// IsCode reports whether err is (or wraps) an *APIError with the given code.
func IsCode(err error, code int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Code == code
}

// IsNotFound reports whether Akool answered 1008 (unknown or expired id). An
// HTTP 404 is a wrong route, not an unknown id, whatever its code.
func IsNotFound(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Code == CodeNotFound && !apiErr.WrongRoute()
}

// UncertainError wraps the failure of a create request that may have reached
// Akool: the connection broke or timed out after the request was sent, so a
// generation may have started and been paid for. The client never retries
// such a request.
type UncertainError struct {
	Endpoint string
	Err      error
	// Reason says what became of the request after it was sent, as a
	// clause: "the connection closed before any answer arrived".
	Reason string
}

func (e *UncertainError) Error() string {
	return fmt.Sprintf("akool %s: the request was sent but no answer arrived, so Akool may have started (and charged for) the job: %v", e.Endpoint, e.Err)
}

func (e *UncertainError) Unwrap() error { return e.Err }

// JobFailedError is returned by Wait when a job ends in StatusFailed.
type JobFailedError struct {
	Image *Image
}

func (e *JobFailedError) Error() string {
	return fmt.Sprintf("akool job %s ended with image_status 4 (failed)", e.Image.ID)
}

// SinglesMissingError is returned by WaitFor, with the completed grid, when
// upscaled_urls did not list the grid's four single images within the grace.
// The grid itself is finished (and paid for); a later read may list them.
type SinglesMissingError struct {
	Image  *Image
	Waited time.Duration // how long the completed grid was read again
}

func (e *SinglesMissingError) Error() string {
	return fmt.Sprintf("akool job %s completed, but upscaled_urls listed %d of its four single images after %s more",
		e.Image.ID, len(e.Image.UpscaledURLs), e.Waited.Round(time.Second))
}

// URLMissingError is returned by WaitFor, with the completed job, when
// Akool's answers reported it completed (image_status 3) but named no
// picture URL (neither image nor external_img) within the grace. The job is
// finished and paid for; a later read may name the URL.
type URLMissingError struct {
	Image  *Image
	Waited time.Duration // how long the completed job was read again
}

func (e *URLMissingError) Error() string {
	return fmt.Sprintf("akool job %s completed, but no answer named its picture URL (image or external_img) after %s more",
		e.Image.ID, e.Waited.Round(time.Second))
}

// NotShownError says that Akool answered 1008 for a job too young to count
// as lost (see JobLostAfter): its reads lag behind its writes. WaitFor wraps
// it with the error of its context when that ends while the job is not shown.
type NotShownError struct {
	ID      string
	Created time.Time     // when the job was created; zero when not known
	Reads   int           // reads in a row that answered 1008
	Since   time.Duration // from Created to the last of them
}

func (e *NotShownError) Error() string {
	return fmt.Sprintf("akool job %s: Akool answered code 1008 (not found) to %d reads in a row, the last %s after the job was created",
		e.ID, e.Reads, e.Since.Round(time.Second))
}

// IDTime is the creation time that an ObjectId carries in its first four
// bytes (seconds since the epoch); ok is false when id is not an ObjectId.
func IDTime(id string) (t time.Time, ok bool) {
	if len(id) != 24 {
		return time.Time{}, false
	}
	secs, err := strconv.ParseUint(id[:8], 16, 32)
	if err != nil {
		return time.Time{}, false
	}
	if _, err := hex.DecodeString(id[8:]); err != nil {
		return time.Time{}, false
	}
	return time.Unix(int64(secs), 0).UTC(), true
}

// ReadsFailedError is returned by WaitFor when reads of a job kept failing
// for too long. Errors holds what each read got, oldest first; errors.As and
// errors.Is see the last one.
type ReadsFailedError struct {
	ID     string
	Errors []error
	Over   time.Duration // from the first failure to the last
}

func (e *ReadsFailedError) Error() string {
	return fmt.Sprintf("akool job %s: %d reads in a row failed over %s; %s", e.ID, len(e.Errors), e.Over.Round(time.Second), e.Answers())
}

// Answers says what each failed read got, in order, with repeats counted:
// `Akool answered: code 1009 "no permission" (HTTP 200), 3 times; HTTP 502: ...`.
func (e *ReadsFailedError) Answers() string {
	var parts []string
	for i := 0; i < len(e.Errors); {
		text := failureText(e.Errors[i])
		n := 1
		for i+n < len(e.Errors) && failureText(e.Errors[i+n]) == text {
			n++
		}
		if n > 1 {
			text += fmt.Sprintf(", %d times", n)
		}
		parts = append(parts, text)
		i += n
	}
	return "Akool answered: " + strings.Join(parts, "; then ")
}

func (e *ReadsFailedError) Unwrap() error {
	if len(e.Errors) == 0 {
		return nil
	}
	return e.Errors[len(e.Errors)-1]
}

// failureText names what one failed read got, without the endpoint.
func failureText(err error) string {
	var apiErr *APIError
	switch {
	case !errors.As(err, &apiErr):
		return err.Error()
	case apiErr.Code == 0:
		return fmt.Sprintf("HTTP %d: %s", apiErr.HTTPStatus, apiErr.Message)
	default:
		return fmt.Sprintf("code %d %q (HTTP %d)", apiErr.Code, apiErr.Message, apiErr.HTTPStatus)
	}
}
