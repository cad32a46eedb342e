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

// The bounds of Wait's patience with failing reads.
const (
	// newJobLag is how long after the create answer a 1008 for the new job
	// is taken for a replica that has not seen it yet rather than for a
	// job that is gone.
	newJobLag = time.Minute
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
// A completed job returns the image and nil; a completed grid whose single
// images are not listed within the grace, the image and a
// *SinglesMissingError; a failed job (status 4), the image and a
// *JobFailedError. When ctx ends: the last image seen (may be nil) and an
// error wrapping ctx.Err(). An undocumented image_status read three times in
// a row is an error.
//
// Failed reads are retried, as Akool's demo keeps polling through errors,
// except authentication refusals (1101, 1102, 1200) and 1008, which end the
// wait at once; a 1008 within a minute of this client's create answer is
// retried, as a replica that has not seen the job yet answers it. After two
// minutes of failures in a row, a *ReadsFailedError lists what each read got.
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
	var last *Image
	unknown := 0
	var failures []error
	var failingSince time.Time
	var retried time.Duration // the retry waits of the current run of failures
	for {
		if wait > 0 {
			var err error
			if len(failures) > 0 {
				err = c.sleep(ctx, wait) // a retry's backoff, not the policy's plan
			} else {
				err = c.pause(ctx, timer, wait)
			}
			if err != nil {
				if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
					err = fmt.Errorf("%w: %w", ctxErr, err)
				}
				return last, fmt.Errorf("akool job %s: stopped waiting while it was %s: %w", id, status, err)
			}
		}
		img, err := c.GetImage(ctx, id)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				if !errors.Is(err, ctxErr) {
					err = fmt.Errorf("%w: %w", ctxErr, err)
				}
				return last, err
			}
			// Time is what the clock says or what the retries waited,
			// whichever is more, so the bounds hold with any Sleep.
			now := c.now()
			if len(failures) == 0 {
				failingSince, retried = now, 0
			}
			if c.finalReadError(err, fresh, max(now.Sub(created), retried)) {
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
		failures = nil
		last, status = img, img.Status
		wait = timer.Observe(c.now(), img.Status)
		if opts.Progress != nil {
			opts.Progress(img)
		}

		switch {
		case img.Status == StatusCompleted:
			if !opts.Grid || len(img.UpscaledURLs) >= 4 {
				return img, nil
			}
			stop() // the job has ended: the policy learns it now
			return c.waitSingles(ctx, id, img, opts.Progress)
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
// replica lag of a job this client created sinceCreated ago.
func (c *Client) finalReadError(err error, fresh bool, sinceCreated time.Duration) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return errors.Is(err, errNoID)
	}
	switch apiErr.Code {
	case CodeInvalidToken, CodeNoAuth, CodeBanned:
		return true
	case CodeNotFound:
		return !fresh || sinceCreated >= newJobLag
	}
	return false
}

// retryWait is the backoff before the read after the n-th failure in a row.
func retryWait(n int) time.Duration {
	d := readRetryFirst
	for i := 1; i < n && d < readRetryMax; i++ {
		d *= 2
	}
	return min(d, readRetryMax)
}

// waitSingles reads a completed grid again until upscaled_urls lists its four
// single images, for up to the client's SinglesGrace and never past ctx. The
// grid is finished whatever happens, so a failed read only costs a turn.
func (c *Client) waitSingles(ctx context.Context, id string, img *Image, progress func(*Image)) (*Image, error) {
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
			if len(next.UpscaledURLs) >= 4 {
				return next, nil
			}
		}
		if ctx.Err() != nil {
			break
		}
		pace = min(pace*2, singlesPollMax)
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
