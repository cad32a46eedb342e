package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// server is an emulator served on loopback.
type server struct {
	emu  *emulator.Emulator
	url  string
	stop func()
}

func (b *benchmark) serve(opts emulator.Options) (*server, error) {
	opts.APIKey = b.apiKey
	opts.InitialCredit = 1e9
	opts.Seed = 1
	// What is measured is how soon a job's end is noticed; single images
	// listed after it would add the same wait to every strategy.
	opts.Shapes.SinglesDelay = -1
	emu, err := emulator.New(opts)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(b.ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &server{emu: emu, url: "http://" + ln.Addr().String(), stop: func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}}, nil
}

// jobTimes gives the emulator the benchmark's job times by prompt.
func jobTimes(jobs []bench.Job) func(string) (time.Duration, time.Duration) {
	return func(prompt string) (time.Duration, time.Duration) {
		if i, ok := bench.PromptIndex(prompt); ok && i < len(jobs) {
			return jobs[i].Queue, jobs[i].Process
		}
		return 0, 0
	}
}

const imagesConfig = `terraform {
  required_providers {
    akool = {
      source = "akool-community/akool"
    }
  }
}

provider "akool" {}

resource "akool_generated_image" "bench" {
  count  = %d
  prompt = "%s${count.index}"
}
`

const floorImageConfig = `terraform {
  required_providers {
    benchfloor = {
      source = "akool-community/benchfloor"
    }
  }
}

resource "benchfloor_image" "bench" {
  count  = %d
  prompt = "%s${count.index}"
}
`

const floorConfig = `terraform {
  required_providers {
    benchfloor = {
      source = "akool-community/benchfloor"
    }
  }
}

resource "benchfloor_item" "bench" {
  count  = %d
  name   = "%s${count.index}"
  prompt = "a picture"
}
`

// timed runs one terraform command and returns how long it took.
func (b *benchmark) timed(dir string, env []string, sampler *memorySampler, args ...string) (time.Duration, error) {
	start := time.Now()
	err := b.terraform(dir, env, sampler, args...)
	took := time.Since(start)
	if sampler != nil {
		sampler.stop()
	}
	return took, err
}

func (b *benchmark) workdir(label, config string) (string, error) {
	dir := filepath.Join(b.root, strings.NewReplacer("/", "-", " ", "-", "=", "").Replace(label))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600)
}

// workdirs writes the working directories of a profile, each of n
// resources: of the images (imagesConfig), then of the floor (floorConfig),
// then, if given, of the floor with the image schema (floorImageConfig).
func (b *benchmark) workdirs(profile string, n int, configs ...string) ([]string, error) {
	names := []string{"akool", "floor", "floor-image"}
	dirs := make([]string, len(configs))
	for i, config := range configs {
		dir, err := b.workdir(profile+"-"+names[i], fmt.Sprintf(config, n, bench.PromptPrefix))
		if err != nil {
			return nil, err
		}
		dirs[i] = dir
	}
	return dirs, nil
}

// env is the environment terraform runs in: this process's, without any
// Akool or Terraform setting that could change the measurement, plus the
// benchmark's.
func (b *benchmark) env(endpoint, strategy string, maxRate float64) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AKOOL_") || strings.HasPrefix(kv, "TF_") {
			continue
		}
		env = append(env, kv)
	}
	tfrc := b.tfrc
	if strategy != "" && isPeer(strategy) {
		tfrc = b.pollTfrc
		env = append(env, "AKOOL_BENCH_POLL="+strategy)
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+tfrc,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"AKOOL_ENDPOINT="+endpoint,
		"AKOOL_API_KEY="+b.apiKey,
	)
	if maxRate > 0 {
		env = append(env, "AKOOL_MAX_REQUESTS_PER_SECOND="+strconv.FormatFloat(maxRate, 'f', -1, 64))
	}
	return env
}

// terraform runs one terraform command in dir, its output in a log file
// there. A sampler, when given, watches the provider processes meanwhile.
func (b *benchmark) terraform(dir string, env []string, sampler *memorySampler, args ...string) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.opts.commandTimeout)
	defer cancel()
	logPath := filepath.Join(dir, "terraform-"+args[0]+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, b.opts.terraform, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, logFile, logFile
	if err := cmd.Start(); err != nil {
		return err
	}
	if sampler != nil {
		sampler.start()
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("terraform %s: %w; the end of %s:\n%s", args[0], err, logPath, tail(logPath, 15))
	}
	return nil
}
