// Command akool-emulator serves the local Akool emulator on its own, for
// trying configurations offline, demos and benchmarks:
//
//	go install github.com/akool-community/terraform-provider-akool/internal/emulator/cmd/akool-emulator@latest
//	akool-emulator -listen 127.0.0.1:8787 -api-key KEY
//
// It prints one line with its base URL, then serves until SIGINT or SIGTERM.
// The API key may come from AKOOL_API_KEY instead of -api-key, which keeps it
// out of the process list. It listens on loopback only unless -allow-remote is
// given: it is a test tool, with a well-known key and no protection.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

func main() {
	os.Exit(exitCode(serve()))
}

// serve runs the emulator until SIGINT or SIGTERM.
func serve() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
}

// exitCode reports err (usage errors were reported already) and maps it to
// the process's exit status.
func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(os.Stderr, "akool-emulator: %v\n", err)
		return 1
	}
}

// errUsage marks an error already reported with the usage text.
var errUsage = errors.New("usage error")

// config is what the flags say. Job times and credit are kept apart from
// opts because the emulator's Options read zero as "default", while zero is a
// meaningful value on the command line (no waiting, an exhausted account).
type config struct {
	listen         string
	allowRemote    bool
	queue, process time.Duration
	credit         float64
	singlesDelay   time.Duration
	opts           emulator.Options
	verbose        bool
}

// parseFlags reads args (and AKOOL_API_KEY through getenv). Errors are
// reported on stderr and returned wrapped in errUsage.
func parseFlags(args []string, stderr io.Writer, getenv func(string) string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("akool-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:8787", "`host:port` to listen on; port 0 picks a free one")
	fs.BoolVar(&cfg.allowRemote, "allow-remote", false, "allow a -listen address that is not loopback")
	fs.StringVar(&cfg.opts.APIKey, "api-key", getenv("AKOOL_API_KEY"), "the API key (and client secret) to accept; default $AKOOL_API_KEY")
	fs.StringVar(&cfg.opts.ClientID, "client-id", "emulator-client", "the client id getToken accepts")
	fs.DurationVar(&cfg.queue, "queue-time", time.Second, "how long a job stays queueing (status 1)")
	fs.DurationVar(&cfg.process, "process-time", 3*time.Second, "how long a job stays processing (status 2)")
	fs.Float64Var(&cfg.credit, "credit", 1000, "the initial credit balance")
	fs.DurationVar(&cfg.opts.Latency, "latency", 0, "delay added to every API answer, after acting on the request: the round trip to a distant Akool (e.g. 250ms)")
	fs.DurationVar(&cfg.opts.Jitter, "jitter", 0, "up to this much more delay on each API answer, uniformly at random: a network's spread around -latency")
	fs.Float64Var(&cfg.opts.RateLimit, "rate-limit", 0, "max API requests per second of the account, shared by every client (several terraform runs at once included), above which code 1005 answers (0: unlimited)")
	fs.BoolVar(&cfg.opts.RateWindow, "rate-window", false, "with -rate-limit: count requests over a strict one-second sliding window instead of a token bucket")
	fs.Float64Var(&cfg.opts.Faults.ReadRate, "read-fault-rate", 0, "fraction of reads answered with a transient fault (0-1)")
	fs.Float64Var(&cfg.opts.Faults.CreateRefuseRate, "create-refuse-rate", 0, "fraction of creates refused with code 1005 without acting (0-1)")
	fs.Float64Var(&cfg.opts.Faults.CreateDropRate, "create-drop-rate", 0, "fraction of creates acted on whose connection is then dropped (0-1)")
	fs.Int64Var(&cfg.opts.Seed, "seed", 0, "seed for fault randomness and ids (0: from the time)")
	fs.DurationVar(&cfg.singlesDelay, "singles-delay", emulator.DefaultSinglesDelay, "how long after status 3 a grid lists its four single images in upscaled_urls (0: with status 3)")
	fs.BoolVar(&cfg.opts.Shapes.SinglesNever, "singles-never", false, "grids never list their single images (upscaled_urls stays empty)")
	fs.BoolVar(&cfg.opts.Shapes.ExternalImage, "external-img", false, "give the result URL in external_img instead of image")
	fs.DurationVar(&cfg.opts.Shapes.NotFoundFor, "not-found-for", 0, "answer 1008 to reads of a job younger than this, as a lagging replica would (0: never)")
	fs.BoolVar(&cfg.opts.Shapes.HideParent, "hide-parent", false, "leave image_content_model_id and op_button out of infobymodelid's answers")
	fs.BoolVar(&cfg.opts.Shapes.V4UpscaledURL, "v4-upscaled-url", false, "give v4 results an upscaled_urls holding the picture itself")
	fs.StringVar(&cfg.opts.PictureFormat, "format", emulator.FormatPNG, "how result pictures are served: png, jpeg or webp (every webp result is the same small picture)")
	fs.BoolVar(&cfg.verbose, "v", false, "log every request to stderr (never credentials)")
	fs.Usage = func() { usage(fs) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, errUsage
	}
	if fs.NArg() > 0 {
		return cfg, usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	if cfg.opts.APIKey == "" {
		return cfg, usageError(fs, "an API key is required: pass -api-key or set AKOOL_API_KEY")
	}
	if !cfg.allowRemote {
		if err := checkLoopback(cfg.listen); err != nil {
			return cfg, usageError(fs, "%v", err)
		}
	}
	if cfg.queue < 0 || cfg.process < 0 || cfg.opts.Latency < 0 || cfg.opts.Jitter < 0 || cfg.singlesDelay < 0 || cfg.opts.Shapes.NotFoundFor < 0 {
		return cfg, usageError(fs, "durations must not be negative")
	}
	switch cfg.opts.PictureFormat {
	case emulator.FormatPNG, emulator.FormatJPEG, emulator.FormatWebP:
	default:
		return cfg, usageError(fs, "-format must be png, jpeg or webp, not %q", cfg.opts.PictureFormat)
	}
	cfg.opts.Shapes.SinglesDelay = cfg.singlesDelay
	if cfg.singlesDelay == 0 {
		cfg.opts.Shapes.SinglesDelay = -1 // Options reads 0 as the default
	}
	return cfg, nil
}

// usage is the text of -h: what the emulator does, how to use it, and
// every flag.
func usage(fs *flag.FlagSet) {
	fmt.Fprint(fs.Output(), `Usage: akool-emulator [flags]

Serves a local stand-in for Akool's image API, for trying Terraform
configurations and testing modules offline. It prints one line with its base
URL ("akool emulator listening on http://127.0.0.1:8787"), then serves until
SIGINT or SIGTERM. Point the provider's endpoint (or AKOOL_ENDPOINT) at that
URL and use the same API key. Jobs, credits, buttons and the 7-day expiry
behave as Akool documents them; pictures show the first words of their
prompt, and a prompt containing "[fail]" makes its job fail.

Install: go install github.com/akool-community/terraform-provider-akool/internal/emulator/cmd/akool-emulator@latest

Flags:
`)
	fs.PrintDefaults()
}

func usageError(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(fs.Output(), "akool-emulator: "+format+"\n", args...)
	return errUsage
}

// checkLoopback accepts only loopback addresses and the name localhost.
func checkLoopback(listen string) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", listen, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-listen %q is not a loopback address; pass -allow-remote to serve other machines", listen)
}

// run serves until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, err := parseFlags(args, stderr, getenv)
	if err != nil {
		return err
	}
	if cfg.verbose {
		logger := log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)
		cfg.opts.Logf = logger.Printf
	}
	emu, err := emulator.New(cfg.opts)
	if err != nil {
		return err
	}
	emu.SetJobTime(cfg.queue, cfg.process)
	emu.SetCredit(cfg.credit)

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "akool emulator listening on http://%s\n", ln.Addr())

	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}
