package akool

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// unknownStatusLimit is how many reads in a row may report an undocumented
// image_status before Wait gives up.
const unknownStatusLimit = 3

// DefaultSinglesGrace is how long Wait keeps reading a completed grid for its
// four single images when Config.SinglesGrace is 0. Akool's own demo keeps
// polling a grid until they are listed, and they can come after status 3.
const DefaultSinglesGrace = 2 * time.Minute

// JobLostAfter is how long after its creation a job that Akool still does
// not show (code 1008) counts as lost. Akool's reads lag behind its writes,
// so a job may read 1008 for a while after Akool accepted it; ten minutes is
// far beyond any such lag, and far short of the 7 days an image is kept.
// Before then a 1008 says "not shown yet", never "gone", and a job this
// client created is waited for, whatever its age, until the wait's ctx ends.
const JobLostAfter = 10 * time.Minute

// The bounds of Wait's patience with failing reads.
const (
	// readFailureBudget is how long reads may keep failing in a row, after
	// the retries of each read, before Wait gives up.
	readFailureBudget = 2 * time.Minute
	readRetryFirst    = time.Second
	readRetryMax      = 20 * time.Second
	// The pace of the reads for a grid's single images: the demo polls
	// every 3 seconds.
	singlesPollFirst = 500 * time.Millisecond
	singlesPollMax   = 3 * time.Second
)

// WaitOptions says what a finished job is and who hears of its progress.
type WaitOptions struct {
	// Grid says that the job's result is a 2x2 grid (a v3 image or a
	// variation): it is finished once image_status is 3 AND upscaled_urls
	// lists the four single images, which Akool may list after status 3.
	// Wait then reads it again for up to the client's SinglesGrace.
	Grid bool
	// Progress (may be nil) is called after every successful read.
	Progress func(*Image)
	// Created is when the job was created, for a job this client did not
	// create (the zero time: the time its ObjectId carries). A 1008 for a
	// job younger than JobLostAfter is read again rather than final.
	Created time.Time
}

// Wait is WaitFor for a job whose result is a single picture.
func (c *Client) Wait(ctx context.Context, id string, progress func(*Image)) (*Image, error) {
	return c.WaitFor(ctx, id, WaitOptions{Progress: progress})
}

// WaitFor polls GetImage until the job is finished, reading when the
// client's PollPolicy says (LearnedPoll by default).
//
// The first read of a job this client created waits for the policy; that of
// any other job (one from an earlier run) is immediate.
//
// A completed job returns the image and nil. A completed job is read again
// for up to the client's SinglesGrace while its answer lacks the picture URL
// or, for a grid, the four single images: then it returns the image and a
// *URLMissingError or a *SinglesMissingError. A failed job (status 4)
// returns the image and a *JobFailedError. When ctx ends: the last image
// seen (may be nil) and an error wrapping ctx.Err() (and a *NotShownError
// when the last read answered 1008). An undocumented image_status read three
// times in a row is an error.
//
// Failed reads are retried, as Akool's demo keeps polling through errors,
// except authentication refusals (1101, 1102, 1200) and 1008, which end the
// wait at once. A 1008 for a job this client created, or for any job younger
// than JobLostAfter, is read again with backoff instead, as a replica that
// has not seen the job yet answers it; those reads do not count as failures.
// After two minutes of failures in a row, a *ReadsFailedError lists what each
// read got.
func (c *Client) WaitFor(ctx context.Context, id string, opts WaitOptions) (*Image, error) {
	created, createdStatus, fresh := c.created.take(id)
	timer := c.poll.Follow(id, created)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			timer.Stop()
		}
	}
	defer stop()

	var wait time.Duration
	status := createdStatus
	if fresh {
		wait = created.Add(timer.Observe(created, createdStatus)).Sub(c.now())
	}
	born := created
	if !fresh {
		born = opts.Created
		if born.IsZero() {
			born, _ = IDTime(id)
		}
	}
	var last *Image
	unknown := 0
	var notShown *NotShownError // the last read answered 1008, too early to call the job lost
	notShownReads := 0
	var failures []error
	var failingSince time.Time
	var retried time.Duration // the retry waits of the current run of failures
	for {
		if wait > 0 {
			var err error
			if len(failures) > 0 || notShown != nil {
				err = c.sleep(ctx, wait) // a retry's backoff, not the policy's plan
			} else {
				err = c.pause(ctx, timer, wait)
			}
			if err != nil {
				if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
					err = fmt.Errorf("%w: %w", ctxErr, err)
				}
				return last, withNotShown(notShown, fmt.Errorf("akool job %s: stopped waiting while it was %s: %w", id, status, err))
			}
		}
		img, err := c.GetImage(ctx, id)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				if !errors.Is(err, ctxErr) {
					err = fmt.Errorf("%w: %w", ctxErr, err)
				}
				return last, withNotShown(notShown, err)
			}
			now := c.now()
			if IsNotFound(err) && (fresh || (!born.IsZero() && now.Sub(born) < JobLostAfter)) {
				notShownReads++
				notShown = &NotShownError{ID: id, Created: born, Reads: notShownReads, Since: now.Sub(born)}
				c.debug(ctx, "akool does not show the job yet; reading again", map[string]any{
					"id": id, "reads": notShownReads, "since_created": notShown.Since.String(),
				})
				wait = retryWait(notShownReads)
				continue
			}
			// Time is what the clock says or what the retries waited,
			// whichever is more, so the bounds hold with any Sleep.
			if len(failures) == 0 {
				failingSince, retried = now, 0
			}
			if finalReadError(err) {
				return last, err
			}
			failures = append(failures, err)
			c.debug(ctx, "akool read failed while waiting; reading again", map[string]any{
				"id": id, "failures": len(failures), "error": err.Error(),
			})
			if over := max(now.Sub(failingSince), retried); over >= readFailureBudget {
				return last, &ReadsFailedError{ID: id, Errors: failures, Over: over}
			}
			wait = retryWait(len(failures))
			retried += wait
			continue
		}
		failures, notShown, notShownReads = nil, nil, 0
		last, status = img, img.Status
		wait = timer.Observe(c.now(), img.Status)
		if opts.Progress != nil {
			opts.Progress(img)
		}

		switch {
		case img.Status == StatusCompleted:
			if resultListed(img, opts.Grid) {
				return img, nil
			}
			stop() // the job has ended: the policy learns it now
			return c.waitResult(ctx, id, img, opts)
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
	}
}

// finalReadError reports whether a failed read ends the wait: an
// authentication refusal, which no retry fixes, or a 1008 that is not the
// replica lag of a new job (WaitFor retries those first).
func finalReadError(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return errors.Is(err, errNoID)
	}
	switch apiErr.Code {
	case CodeInvalidToken, CodeNoAuth, CodeBanned, CodeNotFound:
		return true
	}
	return false
}

// withNotShown adds to err, the end of a wait, that Akool did not show the
// job at the last read, when notShown says so.
func withNotShown(notShown *NotShownError, err error) error {
	if notShown == nil {
		return err
	}
	return fmt.Errorf("%w: %w", notShown, err)
}

// resultListed reports whether a completed job's answer holds its result:
// the picture URL and, for a grid, the four single images.
func resultListed(img *Image, grid bool) bool {
	return img.ImageURL != "" && (!grid || len(img.UpscaledURLs) >= 4)
}

// retryWait is the backoff before the read after the n-th failure in a row.
func retryWait(n int) time.Duration {
	d := readRetryFirst
	for i := 1; i < n && d < readRetryMax; i++ {
		d *= 2
	}
	return min(d, readRetryMax)
}

// waitResult reads a completed job again until its answer holds the picture
// URL and, for a grid, upscaled_urls lists the four single images, for up to
// the client's SinglesGrace and never past ctx: Akool may list them after
// status 3. The job is finished whatever happens, so a failed read only costs
// a turn.
func (c *Client) waitResult(ctx context.Context, id string, img *Image, opts WaitOptions) (*Image, error) {
	progress := opts.Progress
	start := c.now()
	pace := singlesPollFirst
	for {
		left := c.singlesGrace - c.now().Sub(start)
		if left <= 0 || c.sleep(ctx, min(pace, left)) != nil {
			break
		}
		next, err := c.GetImage(ctx, id)
		if err == nil && next.Status == StatusCompleted {
			img = next
			if progress != nil {
				progress(next)
			}
			if resultListed(next, opts.Grid) {
				return next, nil
			}
		}
		if ctx.Err() != nil {
			break
		}
		pace = min(pace*2, singlesPollMax)
	}
	if img.ImageURL == "" {
		return img, &URLMissingError{Image: img, Waited: c.now().Sub(start)}
	}
	return img, &SinglesMissingError{Image: img, Waited: c.now().Sub(start)}
}

// pause waits d before the next read. When the policy learns something
// meanwhile (another job ended), it asks the timer again and waits what is
// left of the new plan instead.
func (c *Client) pause(ctx context.Context, timer PollTimer, d time.Duration) error {
	for d > 0 {
		changed := timer.Changed()
		if changed == nil {
			return c.sleep(ctx, d)
		}
		sleepCtx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-changed:
				cancel()
			case <-sleepCtx.Done():
			}
		}()
		err := c.sleep(sleepCtx, d)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-changed:
		default:
			return err // not the policy's doing: ctx ended, or the sleep failed
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d = timer.Replan(time.Now())
	}
	return nil
}

// createdJobs remembers when this client created each job it has not yet
// waited for, so that Wait can time the job from its creation. Entries leave
// when Wait takes them; jobs never waited for are dropped after an hour.
type createdJobs struct {
	mu   sync.Mutex
	jobs map[string]createdJob
}

type createdJob struct {
	at     time.Time
	status Status
}

const (
	createdJobsLimit = 1024      // entries kept before stale ones are dropped
	createdJobsTTL   = time.Hour // how long an entry nobody waited for is kept
)

func (c *createdJobs) add(id string, at time.Time, status Status) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.jobs == nil {
		c.jobs = make(map[string]createdJob)
	}
	if len(c.jobs) >= createdJobsLimit {
		for k, j := range c.jobs {
			if at.Sub(j.at) > createdJobsTTL {
				delete(c.jobs, k)
			}
		}
	}
	c.jobs[id] = createdJob{at: at, status: status}
}

// take returns and forgets when the job was created and its status then.
func (c *createdJobs) take(id string) (time.Time, Status, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	j, ok := c.jobs[id]
	if ok {
		delete(c.jobs, id)
	}
	return j.at, j.status, ok
}
