package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

const maxBodyBytes = 1 << 20

// decodeBody reads one JSON object from the request body. Unknown fields are
// ignored, as a lenient API does; anything else malformed is an error.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBodyBytes))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// jobTimes gives the queue and process times of a new job.
func (e *Emulator) jobTimes(prompt string) (time.Duration, time.Duration) {
	if e.jobTime != nil {
		q, p := e.jobTime(prompt)
		return max(q, 0), max(p, 0)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.queueTime, e.processTime
}

// refused is the answer to a create request the fault configuration refuses
// before acting on it.
func refused() result {
	res := fail(codeTooFrequent, "Operation is too frequent")
	res.fault = FaultCode1005
	return res
}

// dropped is the non-answer to a create request that was acted on.
func dropped() result { return result{drop: true, fault: FaultDrop} }

// promptJobLocked makes a job from a create request's prompt (v3 or v4).
func (e *Emulator) promptJobLocked(kind jobKind, prompt, source, scale string, credit int, queue, process time.Duration, now time.Time) *job {
	return &job{
		id:           e.newIDLocked(),
		kind:         kind,
		created:      now,
		queue:        queue,
		process:      process,
		prompt:       processPrompt(prompt),
		originPrompt: prompt,
		sourceImage:  source,
		scale:        scale,
		credit:       credit,
		fails:        failsOn(prompt),
	}
}

func noCredit() result { return fail(codeNoCredit, "Your quota is not enough") }

// acceptCreate begins every create request, in this order: the fault
// configuration may refuse it as too frequent before anything else, then the
// caller must be authenticated, then the body must be a JSON object, decoded
// into req, that passes req's checks. When ok is false, res is the answer.
func (e *Emulator) acceptCreate(r *http.Request, req createRequest) (outcome createOutcome, res result, ok bool) {
	outcome = e.createOutcome(r)
	if outcome == createRefuse {
		return outcome, refused(), false
	}
	if res, ok := e.authenticate(r); !ok {
		return outcome, res, false
	}
	if err := decodeBody(r, req); err != nil {
		return outcome, badParam("the body is not a valid JSON object"), false
	}
	if err := req.check(); err != nil {
		return outcome, badParam("%s", err), false
	}
	return outcome, result{}, true
}

// answerCreateLocked answers a create request that was acted on with data,
// or with no answer at all when the fault configuration drops it.
func (e *Emulator) answerCreateLocked(outcome createOutcome, data any) result {
	if outcome == createDrop {
		e.counters.Faults++
		return dropped()
	}
	return success(data)
}

func (e *Emulator) handleCreateV3(r *http.Request) result {
	var req createV3Request
	outcome, res, ok := e.acceptCreate(r, &req)
	if !ok {
		return res
	}
	queue, process := e.jobTimes(req.Prompt)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.credit < creditV3 {
		return noCredit()
	}
	j := e.promptJobLocked(kindV3, req.Prompt, req.SourceImage, req.Scale, creditV3, queue, process, e.clock.Now())
	j.messageID = e.messageIDLocked()
	j.scenes = gridScenes(j.id, req.Prompt, req.SourceImage)
	e.jobs[j.id] = j
	e.credit -= creditV3
	e.counters.Creates++
	e.counters.CreatesV3++
	e.counters.Jobs++
	return e.answerCreateLocked(outcome, e.viewLocked(j, baseURL(r), j.created, true))
}

func (e *Emulator) handleCreateV4(r *http.Request) result {
	var req createV4Request
	outcome, res, ok := e.acceptCreate(r, &req)
	if !ok {
		return res
	}
	batch, source := req.batch, req.source
	credit := creditV4At4k
	if req.Resolution == "1080p" {
		credit = creditV4At1080p
	}

	queue, process := e.jobTimes(req.Prompt)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.credit < float64(credit*batch) {
		return noCredit()
	}
	now := e.clock.Now()
	views := make([]jobView, 0, batch)
	for range batch {
		j := e.promptJobLocked(kindV4, req.Prompt, source, req.Scale, credit, queue, process, now)
		j.resolution, j.modelName = req.Resolution, req.ModelName
		j.scene = singleScene(j.id, req.Prompt, source)
		e.jobs[j.id] = j
		e.credit -= float64(credit)
		e.counters.Jobs++
		views = append(views, e.viewLocked(j, baseURL(r), now, true))
	}
	e.counters.Creates++
	e.counters.CreatesV4++
	if batch == 1 {
		return e.answerCreateLocked(outcome, views[0])
	}
	return e.answerCreateLocked(outcome, views)
}

func (e *Emulator) handleButton(r *http.Request) result {
	var req buttonRequest
	outcome, res, ok := e.acceptCreate(r, &req)
	if !ok {
		return res
	}
	e.mu.Lock()
	parent := e.jobs[req.ID]
	var prompt string
	if parent != nil {
		prompt = parent.originPrompt
	}
	e.mu.Unlock()
	queue, process := e.jobTimes(prompt)

	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	parent = e.jobs[req.ID]
	switch {
	case parent == nil || parent.expired(now):
		return fail(codeNotFound, msgNotFound)
	case parent.status(now) != 3 || !parent.kind.grid():
		return fail(codeCannotOp, msgCannotOperate)
	case slices.Contains(parent.used, req.Button):
		return fail(codeAlreadyOp, "This content has already been operated on")
	}
	n := int(req.Button[1] - '0')
	child := &job{
		id:           e.newIDLocked(),
		created:      now,
		queue:        queue,
		process:      process,
		prompt:       parent.prompt,
		originPrompt: parent.originPrompt,
		scale:        parent.scale,
		parentID:     parent.id,
		button:       req.Button,
		parentMsgID:  parent.messageID,
		messageID:    e.messageIDLocked(),
		fails:        pressesFailOn(parent.originPrompt),
	}
	if req.Button[0] == 'U' {
		child.kind = kindUpscale
		child.credit = creditUpscale
		child.scene = parent.scenes[n-1]
	} else {
		child.kind = kindVariation
		child.credit = creditVariation
		child.scenes = variationScenes(parent.scenes[n-1], child.id)
	}
	if e.credit < float64(child.credit) {
		return noCredit()
	}
	e.jobs[child.id] = child
	parent.used = append(parent.used, req.Button)
	e.credit -= float64(child.credit)
	e.counters.Presses++
	e.counters.PressesByButton[parent.id+"/"+req.Button]++
	e.counters.Jobs++
	return e.answerCreateLocked(outcome, e.viewLocked(child, baseURL(r), now, true))
}

// readFault counts a read with count, then lets the fault configuration
// answer it with a transient fault; faulted says it did.
func (e *Emulator) readFault(r *http.Request, count func(*Counters)) (res result, faulted bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if count != nil {
		count(&e.counters)
	}
	return e.readFaultLocked(r)
}

// acceptRead begins a read that needs credentials: readFault, then
// authentication. When ok is false, res is the answer.
func (e *Emulator) acceptRead(r *http.Request, count func(*Counters)) (res result, ok bool) {
	if res, faulted := e.readFault(r, count); faulted {
		return res, false
	}
	return e.authenticate(r)
}

func (e *Emulator) handleInfo(r *http.Request) result {
	id := r.URL.Query().Get("image_model_id")
	if res, ok := e.acceptRead(r, func(c *Counters) { c.Reads++; c.ReadsByID[id]++ }); !ok {
		return res
	}
	if id == "" {
		return badParam("image_model_id cannot be empty")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	j := e.jobs[id]
	if j == nil || j.expired(now) || now.Sub(j.created) < e.shapes.NotFoundFor || e.lagLocked(id) {
		return fail(codeNotFound, msgNotFound)
	}
	j.noteRead(now)
	return success(e.viewLocked(j, baseURL(r), now, false))
}

func (e *Emulator) handleQuota(r *http.Request) result {
	if res, ok := e.acceptRead(r, nil); !ok {
		return res
	}
	return success(map[string]float64{"credit": e.Credit()})
}

func (e *Emulator) handleToken(r *http.Request) result {
	if res, faulted := e.readFault(r, func(c *Counters) { c.TokenRequests++ }); faulted {
		return res
	}
	var req struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
	}
	if err := decodeBody(r, &req); err != nil {
		return badParam("the body is not a valid JSON object")
	}
	if req.ClientID == "" && req.ClientSecret == "" {
		return fail(codeMissingAuth, msgMissingAuth)
	}
	// Both comparisons run, so timing does not tell which one failed.
	idOK := secretEqual(req.ClientID, e.clientID)
	secretOK := secretEqual(req.ClientSecret, e.apiKey)
	if !idOK || !secretOK {
		return fail(codeBadAuth, msgBadAuth)
	}
	return result{status: http.StatusOK, env: &envelope{Code: codeOK, Msg: msgOK, Token: e.Token()}}
}

// messageIDLocked makes the numeric message id a grid carries; buttons
// pressed on it answer it as op_buttonMessageId.
func (e *Emulator) messageIDLocked() string {
	return fmt.Sprintf("1%018d", e.rng.Uint64N(1e18))
}
