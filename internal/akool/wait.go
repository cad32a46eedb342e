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

// Wait polls GetImage until the job is terminal, reading when the client's
// PollPolicy says (LearnedPoll by default). progress (may be nil) is called
// after every successful read.
//
// For a job this client created, Wait knows when it was created and that it
// was queueing then, so the first read waits for the policy; for any other
// job (one from an earlier run) the first read is immediate.
//
// A completed job returns the image and nil. A failed job (status 4) returns
// the image and a *JobFailedError. When ctx ends, Wait returns the last image
// seen (may be nil) and an error wrapping ctx.Err(). A read error that
// survives GetImage's retries returns the last image seen and that error. An
// image_status Akool does not document is an error once it has been read
// three times in a row.
func (c *Client) Wait(ctx context.Context, id string, progress func(*Image)) (*Image, error) {
	created, createdStatus, fresh := c.created.take(id)
	timer := c.poll.Follow(id, created)
	defer timer.Stop()

	var wait time.Duration
	status := createdStatus
	if fresh {
		wait = time.Until(created.Add(timer.Observe(created, createdStatus)))
	}
	var last *Image
	unknown := 0
	for {
		if wait > 0 {
			if err := c.pause(ctx, timer, wait); err != nil {
				if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
					err = fmt.Errorf("%w: %w", ctxErr, err)
				}
				return last, fmt.Errorf("akool job %s: stopped waiting while it was %s: %w", id, status, err)
			}
		}
		img, err := c.GetImage(ctx, id)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
				err = fmt.Errorf("%w: %w", ctxErr, err)
			}
			return last, err
		}
		last, status = img, img.Status
		wait = timer.Observe(time.Now(), img.Status)
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
	}
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
