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

// WaitFor polls GetImage, when the client's PollPolicy says, until the job
// has finished, and returns the last image read with:
//   - nil: completed with its result listed;
//   - *URLMissingError or *SinglesMissingError: completed, result still
//     missing after SinglesGrace;
//   - *JobFailedError: failed (status 4);
//   - *LostError: a 1008 for a job older than JobLostAfter that this client
//     did not create (younger ones, and its own, are read again);
//   - ctx's error when ctx ends, wrapping a *NotShownError if the last read
//     answered 1008;
//   - *ReadsFailedError after two minutes of failed reads; Akool's answer
//     for an authentication refusal; an error after three reads in a row
//     of an undocumented image_status.
func (c *Client) WaitFor(ctx context.Context, id string, opts WaitOptions) (*Image, error) {
	w := c.newJobWait(id, opts)
	defer w.stop()
	for {
		if err := w.pause(ctx); err != nil {
			return w.last, err
		}
		img, err := c.GetImage(ctx, id)
		if err != nil {
			if err := w.readFailed(ctx, err); err != nil {
				return w.last, err
			}
			continue
		}
		if done, err := w.observe(ctx, img); done {
			return w.last, err
		}
	}
}

// jobWait is the state of one WaitFor: the job, its poll timer, and what
// the reads so far have found.
type jobWait struct {
	c       *Client
	id      string
	opts    WaitOptions
	timer   PollTimer
	stopped bool
	fresh   bool      // this client created the job: a 1008 is never final
	born    time.Time // when the job was created, or zero when unknown

	wait     time.Duration  // before the next read
	status   Status         // as last known
	last     *Image         // the last image read
	unknown  int            // reads in a row of an undocumented status
	notShown *NotShownError // the last reads answered 1008, too early to call the job lost

	failures     []error       // the current run of failed reads
	failingSince time.Time     // when that run began
	retried      time.Duration // the retry waits of that run
}

func (c *Client) newJobWait(id string, opts WaitOptions) *jobWait {
	created, createdStatus, fresh := c.created.take(id)
	w := &jobWait{c: c, id: id, opts: opts, timer: c.poll.Follow(id, created), fresh: fresh, born: created, status: createdStatus}
	if fresh {
		w.wait = created.Add(w.timer.Observe(created, createdStatus)).Sub(c.now())
	} else {
		w.born = opts.Created
		if w.born.IsZero() {
			w.born, _ = IDTime(id)
		}
	}
	return w
}

// stop tells the policy that this wait no longer follows the job.
func (w *jobWait) stop() {
	if !w.stopped {
		w.stopped = true
		w.timer.Stop()
	}
}

// pause waits before the next read: the policy's plan, or a retry's
// backoff after a failed read. Its error ends the wait.
func (w *jobWait) pause(ctx context.Context) error {
	if w.wait <= 0 {
		return nil
	}
	var err error
	if len(w.failures) > 0 || w.notShown != nil {
		err = w.c.sleep(ctx, w.wait) // a retry's backoff, not the policy's plan
	} else {
		err = w.c.pause(ctx, w.timer, w.wait)
	}
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w: %w", ctxErr, err)
	}
	return withNotShown(w.notShown, fmt.Errorf("akool job %s: stopped waiting while it was %s: %w", w.id, w.status, err))
}

// readFailed decides what a failed read means: nil to read again after a
// backoff, or the error that ends the wait.
func (w *jobWait) readFailed(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		if !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w: %w", ctxErr, err)
		}
		return withNotShown(w.notShown, err)
	}
	now := w.c.now()
	if IsNotFound(err) && (w.fresh || (!w.born.IsZero() && now.Sub(w.born) < JobLostAfter)) {
		reads := 1
		if w.notShown != nil {
			reads += w.notShown.Reads
		}
		w.notShown = &NotShownError{ID: w.id, Reads: reads, Since: now.Sub(w.born)}
		w.c.debug(ctx, "akool does not show the job yet; reading again", map[string]any{
			"id": w.id, "reads": reads, "since_created": w.notShown.Since.String(),
		})
		w.wait = retryWait(reads)
		return nil
	}
	// Time is what the clock says or what the retries waited, whichever is
	// more, so the bounds hold with any Sleep.
	if len(w.failures) == 0 {
		w.failingSince, w.retried = now, 0
	}
	if IsNotFound(err) {
		return &LostError{ID: w.id, Err: err}
	}
	if finalReadError(err) {
		return err
	}
	w.failures = append(w.failures, err)
	w.c.debug(ctx, "akool read failed while waiting; reading again", map[string]any{
		"id": w.id, "failures": len(w.failures), "error": err.Error(),
	})
	if over := max(now.Sub(w.failingSince), w.retried); over >= readFailureBudget {
		return &ReadsFailedError{ID: w.id, Errors: w.failures, Over: over}
	}
	w.wait = retryWait(len(w.failures))
	w.retried += w.wait
	return nil
}

// observe records a successful read and reports whether it ends the wait,
// with the wait's error; w.last is then the image to return.
func (w *jobWait) observe(ctx context.Context, img *Image) (done bool, err error) {
	w.failures, w.notShown = nil, nil
	w.last, w.status = img, img.Status
	w.wait = w.timer.Observe(w.c.now(), img.Status)
	if w.opts.Progress != nil {
		w.opts.Progress(img)
	}
	switch {
	case img.Status == StatusCompleted:
		if resultListed(img, w.opts.Grid) {
			return true, nil
		}
		w.stop() // the job has ended: the policy learns it now
		w.last, err = w.c.waitResult(ctx, w.id, img, w.opts)
		return true, err
	case img.Status == StatusFailed:
		return true, &JobFailedError{Image: img}
	case !img.Status.Known():
		w.unknown++
		if w.unknown >= unknownStatusLimit {
			return true, fmt.Errorf("akool job %s: image_status %d is not a documented state (read %d times in a row)", w.id, int(img.Status), w.unknown)
		}
	default:
		w.unknown = 0
	}
	return false, nil
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
