// Package emulator is a local stand-in for Akool's image generation OpenAPI.
//
// Nobody can reach Akool from a test, a benchmark or a demo, so this package
// answers the same paths with the same envelope, following Akool's public
// documentation. Where the documentation is silent, this comment states the
// answer the emulator chooses, and "Shapes beyond the documentation" lists the
// other plausible answers it can play, so that clients are tested against
// those too. It serves over plain HTTP: inside tests through [NewServer], on
// its own through [Start] or the akool-emulator command.
//
// # Paths
//
//	POST /api/open/v3/content/image/createbyprompt        v3: a 2x2 grid with U1-U4/V1-V4 buttons
//	POST /api/open/v4/content/image/createBySourcePrompt  v4: single images, batch_quantity 1-4
//	POST /api/open/v3/content/image/createbybutton        upscale (U1-U4) or variation (V1-V4)
//	GET  /api/open/v3/content/image/infobymodelid?image_model_id=<id>
//	POST /api/open/v3/getToken                            {"clientId","clientSecret"} -> {"code":1000,"msg":"OK","token":"..."}
//	GET  /api/open/v3/faceswap/quota/info                 data.credit
//	GET  /images/<id>.png, /images/<id>/<n>.png            the generated pictures (no authentication, like a CDN);
//	                                                      .jpg or .webp with Options.PictureFormat [-format]
//
// Every API answer is {"code","msg","data"}; code 1000 is success. Business
// errors come as HTTP 200 with their code: 1003 invalid parameter, 1005 too
// frequent, 1006 not enough credit, 1008 no such content (unknown, expired or
// forgotten id), 1010 content that cannot be operated on (a button on an
// unfinished job or on a job without that button), 1011 a button already
// pressed, 1101 bad credentials, 1102 no credentials. An unknown route, or a
// known route with the wrong method, answers HTTP 404 with code 1008.
// Parameters are checked as documented; in v4, model_name must be one of the
// two documented models, and the image-to-image one
// (wavespeed-ai/flux-kontext-dev) needs source_images.
//
// # Authentication
//
// Every API path except getToken needs credentials: either x-api-key with the
// API key, or Authorization: Bearer with the token getToken hands out in
// exchange for the client id and the client secret (which is the API key). When
// an Authorization header is present it alone decides, and x-api-key is
// ignored, as Akool documents. [Emulator.RevokeToken] makes the current token
// answer 1101, as an expired one would.
//
// # Jobs
//
// A job's image_status is computed from the [Clock]: 1 (queueing) for the
// queue time, then 2 (processing) for the process time, then 3 (completed).
// A prompt containing the failure trigger "[fail]" (any letter case) ends in 4
// (failed) instead, with no image. A prompt containing "[fail-presses]"
// finishes, but every job its buttons start (and theirs) ends in 4; the
// button stays in used_buttons, as a press is a use whatever its outcome.
// Moving the clock forward also moves jobs forward, so tests can finish a
// job without waiting.
//
// Akool documents results only in part; the emulator chooses the following. A
// finished v3 job's image is the 2x2 grid, with the eight buttons U1..U4,
// V1..V4 and four upscaled_urls (the single sub-images, listed a moment after
// status 3: see below); buttons stay listed after a press while used_buttons
// grows, and a second press of the same button answers 1011. An upscale result
// is one larger picture of its sub-image, without buttons; a variation result
// is a new grid, related to its sub-image, with its own eight buttons. v4
// results are single pictures without buttons. infobymodelid echoes prompt,
// origin_prompt and source_image; prompt is the processed prompt (whitespace
// collapsed), origin_prompt the prompt as sent. Button jobs also carry
// image_content_model_id (the parent) and op_button. The v4 fields of the
// create answer (model_name, team_id, provider, sub_type, ...) are not in
// infobymodelid's answer: Akool does not document them there.
//
// # Shapes beyond the documentation
//
// Akool's own demo client and reports of live runs show answers the
// documentation does not ([Shapes]). By default the emulator plays one of
// them: a grid (a v3 image or a variation) reaches image_status 3 with its
// grid image and buttons, and lists its four single images in upscaled_urls
// [DefaultSinglesDelay] (1 second) later, which is why Akool's demo keeps
// polling a grid until upscaled_urls is filled. On request (Options.Shapes,
// or the akool-emulator flags in brackets) it plays the others:
//
//	Shapes.SinglesDelay   another delay; negative lists them with status 3 [-singles-delay]
//	Shapes.SinglesNever   a grid never lists its single images [-singles-never]
//	Shapes.ExternalImage  the result URL in external_img instead of image, which Akool's demo also reads [-external-img]
//	Shapes.NotFoundFor    1008 for reads of a job younger than this, as a lagging replica answers [-not-found-for]
//	Shapes.HideParent     infobymodelid without image_content_model_id, op_button and op_buttonMessageId,
//	                      as Akool's documented field list has it [-hide-parent]
//	Shapes.V4UpscaledURL  v4 results with upscaled_urls holding one URL, the picture itself, as live runs show [-v4-upscaled-url]
//
// # Credits
//
// Every accepted job deducts its deduction_credit from the balance when it is
// created, whatever its outcome (failed jobs are not refunded):
//
//	v3 grid                      4
//	v4 image, resolution 1080p   2 per image
//	v4 image, resolution 4k      4 per image
//	upscale (U1-U4)              1
//	variation (V1-V4)            4
//
// A job costing more than the balance is refused with 1006 and nothing is
// created; a v4 batch is accepted or refused as a whole.
//
// # Pictures
//
// Image URLs are absolute, built from the request's Host. They serve real PNG
// files, drawn deterministically from the job's id and prompt (a sky, a sun,
// clouds and hills), whose aspect ratio follows the job's scale ("Original" is
// drawn square). A grid is 1024 pixels on its long side, made of four 512-pixel
// sub-images; an upscale draws its sub-image again at twice the size; a v4
// picture is 1024 pixels on its long side at 4k and 768 at 1080p. Until the job
// has completed, and after it expired or was forgotten, every URL of the job
// answers 404.
//
// Options.PictureFormat (-format) serves JPEG (quality 90, the same drawings)
// or WebP instead. Go has no WebP encoder, so every WebP result is one small
// fixed picture (96x64, lossy, made with libwebp); it is there so that
// clients can be tested with each format end to end.
//
// # Expiry
//
// Akool keeps results for 7 days. From 7 days after create_time (by the Clock)
// infobymodelid answers 1008, every image URL of the job answers 404 and its
// buttons can no longer be pressed.
//
// # Faults, latency and rate limit
//
// [Faults] makes a fraction of reads (infobymodelid, quota/info, getToken)
// answer with a transient fault (HTTP 500, HTTP 503, HTTP 429, code 1005, or a
// dropped connection), refuses a fraction of create requests with code 1005
// before acting on them, and drops the connection of a fraction of create
// requests after acting on them (the job exists and was charged, the client
// sees no answer). Faults.Schedule replaces the chance of the first two with
// a fixed pattern that every stream of identical requests (a request and its
// retries, or the reads of one image) follows on its own, so a test's faults
// do not depend on luck or on how requests interleave; [Counters] records the
// runs of faults served in a row. Faults never touch image downloads. Options.Latency delays
// every API answer (after the request was acted on), by up to Options.Jitter
// more at random: the round trip of a client far from Akool, whose refusals
// arrive that much after the requests that caused them. Options.RateLimit
// answers code 1005 to API requests above the given rate (a token bucket, or
// with Options.RateWindow a strict one-second sliding window). The limit is
// the account's: every client shares it, whatever its credentials or
// connection, as the provider processes of several workspaces applying at
// once against one Akool account do (one akool-emulator serves them all).
// [Emulator.HoldCreateAnswers] acts on create requests and keeps their
// answers until released, so that a test can interrupt a client while a paid
// request is on the wire. [Emulator.LagReads] answers the next reads of one
// job 1008, as a lagging replica would, whatever its age. [Counters] records
// what was served, so tests can prove, for example, that a create was sent
// only once. [Emulator.JobStats] times every job: when it ended, how often
// it was read, and when a read first saw it end (the detection lag that
// make bench measures). Go's http.Transport replays an idempotent request (a GET) by
// itself when a reused connection closes without an answer, so one dropped
// read may reach the emulator twice.
//
// Webhook URLs, negative_prompt and similar are validated and then ignored:
// the emulator never calls a webhook.
package emulator
