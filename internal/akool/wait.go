package akool

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// unknownStatusLimit is how many reads in a row may report an undocumented
// image_status before Wait gives up.
const unknownStatusLimit = 3

// PollPolicy decides the wait before the next status read. attempt counts
// reads already made for this job (>=1), elapsed is the time since Wait
// started, img the last image read.
type PollPolicy interface {
	NextPoll(attempt int, elapsed time.Duration, img *Image) time.Duration
}

// DefaultPollPolicy returns the policy Wait uses when Config.Poll is nil:
//   - 1s while the job is queueing (or reports a state Akool does not document);
//   - while it is processing, an eighth of the time waited so far, kept
//     between 0.5s and 2s: quick answers for quick jobs, few reads for slow ones;
//   - 3s for any state once Wait has run for 2 minutes.
func DefaultPollPolicy() PollPolicy { return defaultPollPolicy{} }

type defaultPollPolicy struct{}

func (defaultPollPolicy) NextPoll(_ int, elapsed time.Duration, img *Image) time.Duration {
	switch {
	case elapsed >= 2*time.Minute:
		return 3 * time.Second
	case img != nil && img.Status == StatusProcessing:
		return min(max(elapsed/8, 500*time.Millisecond), 2*time.Second)
	default:
		return time.Second
	}
}

// Wait polls GetImage until the job is terminal. progress (may be nil) is
// called after every successful read.
//
// A completed job returns the image and nil. A failed job (status 4) returns
// the image and a *JobFailedError. When ctx ends, Wait returns the last image
// seen (may be nil) and an error wrapping ctx.Err(). A read error that
// survives GetImage's retries returns the last image seen and that error. An
// image_status Akool does not document is an error once it has been read
// three times in a row.
func (c *Client) Wait(ctx context.Context, id string, progress func(*Image)) (*Image, error) {
	start := time.Now()
	var last *Image
	unknown := 0
	for attempt := 1; ; attempt++ {
		img, err := c.GetImage(ctx, id)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
				err = fmt.Errorf("%w: %w", ctxErr, err)
			}
			return last, err
		}
		last = img
		if progress != nil {
			progress(img)
		}

		switch {
		case img.Status == StatusCompleted:
			return img, nil
		case img.Status == StatusFailed:
			return img, &JobFailedError{Image: img}
		case !img.Status.Known():
			unknown++
			if unknown >= unknownStatusLimit {
				return img, fmt.Errorf("akool job %s: image_status %d is not a documented state (read %d times in a row)", id, int(img.Status), unknown)
			}
		default:
			unknown = 0
		}

		d := c.poll.NextPoll(attempt, time.Since(start), img)
		if err := c.sleep(ctx, d); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
				err = fmt.Errorf("%w: %w", ctxErr, err)
			}
			return last, fmt.Errorf("akool job %s: stopped waiting while it was %s: %w", id, img.Status, err)
		}
	}
}
