// Command akool-rendition-bench is the renditions profile of `make
// bench`: akool_image_rendition's renderer (internal/rendition) beside
// libvips's vipsthumbnail, on the same real photograph and the same
// outputs (1200x630 JPEG q82, 1080x1080 WebP q80, 400x400 WebP q80, crop
// to fill from the centre).
//
//	go run ./internal/bench/cmd/akool-rendition-bench [-runs 3] [-photo FILE]
//
// The photograph is LadyBird.jpg (2560x1600) from Debian's mate-backgrounds
// package (/usr/share/backgrounds/mate/nature/, GPL-2+, by Charles Barbin);
// the benchmark decodes it, marks it as akool_image_file does (an XMP
// packet) and writes it as the PNG source both sides read. vipsthumbnail
// is Debian's libvips-tools. Install both with:
//
//	apt-get install libvips-tools mate-backgrounds
//
// Each side runs as a process of its own, as terraform runs the provider:
// the provider's side is this binary re-run with -render, which reads the
// source through the cache the provider uses and renders every output it
// is given as the provider's resources would, one per CPU at a time, the
// costliest waiting first. Figures are medians of -runs runs: wall time, CPU
// time (user and system, steadier than wall time on a busy machine) and
// peak resident memory. PSNR is measured against a Lanczos-3 reference of
// the same crop computed here in float64; the renderer implements that
// filter, libvips shrinks by a box filter first for large factors, so the
// comparison says how far each is from the ideal filter. The targets are
// the profile's targets; the exit status is 1 when one is missed.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/image/webp"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
	"github.com/akool-community/terraform-provider-akool/internal/imagemeta"
)

const defaultPhoto = "/usr/share/backgrounds/mate/nature/LadyBird.jpg"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-render" {
		if err := render(os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "akool-rendition-bench: %v\n", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type bencher struct {
	ctx       context.Context
	self      string // this binary, run with -render
	vips      string
	dir       string
	source    string
	runs      int
	out       io.Writer
	webpNotes string
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("akool-rendition-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	photo := fs.String("photo", defaultPhoto, "the photograph to render (JPEG or PNG, at least 1920x1200)")
	vips := fs.String("vipsthumbnail", "vipsthumbnail", "libvips's vipsthumbnail")
	runs := fs.Int("runs", 3, "runs of each measurement; the median counts")
	keep := fs.Bool("keep", false, "keep the outputs (their directory is printed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	vipsPath, err := exec.LookPath(*vips)
	if err != nil {
		fmt.Fprintf(stderr, "akool-rendition-bench: %s not found: install it with `apt-get install libvips-tools`\n", *vips)
		return 1
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "akool-rendition-bench: %v\n", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "akool-rendition-bench-")
	if err != nil {
		fmt.Fprintf(stderr, "akool-rendition-bench: %v\n", err)
		return 1
	}
	if *keep {
		fmt.Fprintf(stdout, "outputs kept in %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	b := &bencher{ctx: context.Background(), self: self, vips: vipsPath, dir: dir, runs: max(*runs, 1), out: stdout}
	figures, err := b.all(*photo)
	if err != nil {
		fmt.Fprintf(stderr, "akool-rendition-bench: %v\n", err)
		return 1
	}
	report(stdout, figures, b.webpNotes)
	failed := 0
	for _, c := range bench.RenditionTargets(figures) {
		fmt.Fprintln(stdout, c)
		if !c.OK {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "\n%d of %d targets missed\n", failed, len(bench.RenditionTargets(figures)))
		return 1
	}
	return 0
}

func (b *bencher) all(photo string) (bench.RenditionFigures, error) {
	img, err := b.prepare(photo)
	if err != nil {
		return bench.RenditionFigures{}, err
	}
	f := bench.RenditionFigures{Source: photo, Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}
	for _, o := range bench.RenditionOutputs {
		of := bench.OutputFigures{Output: o}
		ours, vips := filepath.Join(b.dir, "ours-"+o.Name), filepath.Join(b.dir, "vips-"+o.Name)
		if of.Ours, err = b.measure(b.oursCmd(o.Name, o)); err != nil {
			return f, err
		}
		if of.Vips, err = b.measure(b.vipsCmd(o)); err != nil {
			return f, err
		}
		if of.OurBytes, of.OurPSNR, of.OurMarked, err = score(img, ours, o); err != nil {
			return f, err
		}
		if of.VipsBytes, of.VipsPSNR, of.VipsMarked, err = score(img, vips, o); err != nil {
			return f, err
		}
		f.Outputs = append(f.Outputs, of)
	}
	var all [][]string
	for _, o := range bench.RenditionSix {
		all = append(all, b.oursCmd("six-"+o.Name, o))
	}
	if f.Six, err = b.measure(b.joined(all)); err != nil {
		return f, err
	}
	f.SixVips, err = b.sixVips()
	return f, err
}

// prepare writes the source PNG: the photograph, marked.
func (b *bencher) prepare(photo string) (image.Image, error) {
	data, err := os.ReadFile(photo)
	if err != nil {
		return nil, fmt.Errorf("the photograph %s: %w (install it with `apt-get install mate-backgrounds`, or pass -photo)", photo, err)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", photo, err)
	}
	if img.Bounds().Dx() < 1920 || img.Bounds().Dy() < 1200 {
		return nil, fmt.Errorf("%s is %v, smaller than the 1920x1200 the profile needs", photo, img.Bounds().Size())
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	marked, err := imagemeta.Embed(buf.Bytes(), imagemeta.Packet(imagemeta.Marking{
		DigitalSourceType: imagemeta.TrainedAlgorithmicMedia, JobID: "bench", AltText: "A ladybird on a blade of grass",
	}))
	if err != nil {
		return nil, err
	}
	b.source = filepath.Join(b.dir, "source.png")
	return img, os.WriteFile(b.source, marked, 0o644)
}

func (b *bencher) oursCmd(name string, o bench.RenditionOutput) []string {
	return []string{b.self, "-render", b.source, fmt.Sprintf("%s:%dx%d:%d", filepath.Join(b.dir, "ours-"+name), o.Width, o.Height, o.Quality)}
}

// joined is one -render process with every output of cmds.
func (b *bencher) joined(cmds [][]string) []string {
	out := slices.Clone(cmds[0])
	for _, c := range cmds[1:] {
		out = append(out, c[3:]...)
	}
	return out
}

func (b *bencher) vipsCmd(o bench.RenditionOutput) []string {
	return []string{b.vips, b.source, "--size", fmt.Sprintf("%dx%d", o.Width, o.Height), "--smartcrop", "centre",
		"-o", fmt.Sprintf("%s[Q=%d]", filepath.Join(b.dir, "vips-"+o.Name), o.Quality)}
}

func (b *bencher) sixVips() (bench.Run, error) {
	var runs []bench.Run
	for range b.runs {
		var sum bench.Run
		for _, o := range bench.RenditionSix {
			r, err := b.once(b.vipsCmd(o))
			if err != nil {
				return sum, err
			}
			sum.Wall += r.Wall
			sum.CPU += r.CPU
			sum.PeakRSS = max(sum.PeakRSS, r.PeakRSS)
		}
		runs = append(runs, sum)
	}
	return median(runs), nil
}

// measure runs a command -runs times and keeps the median of each figure.
func (b *bencher) measure(cmd []string) (bench.Run, error) {
	var runs []bench.Run
	for range b.runs {
		r, err := b.once(cmd)
		if err != nil {
			return r, err
		}
		runs = append(runs, r)
	}
	return median(runs), nil
}

func (b *bencher) once(args []string) (bench.Run, error) {
	ctx := b.ctx
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return bench.Run{}, err
	}
	peak := watchPeak(cmd.Process.Pid, args[1])
	err := cmd.Wait()
	wall := time.Since(start)
	if err != nil {
		return bench.Run{}, fmt.Errorf("%s: %w: %s", filepath.Base(args[0]), err, stderr.String())
	}
	st := cmd.ProcessState
	r := bench.Run{Wall: wall, CPU: st.UserTime() + st.SystemTime(), PeakRSS: peak()}
	if line := strings.TrimSpace(stdout.String()); strings.HasPrefix(line, "decodes=") {
		b.webpNotes = "the provider's side, last run: " + line
	}
	return r, nil
}

func median(runs []bench.Run) bench.Run {
	pick := func(get func(bench.Run) int64) int64 {
		v := make([]int64, len(runs))
		for i, r := range runs {
			v[i] = get(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return bench.Run{
		Wall:    time.Duration(pick(func(r bench.Run) int64 { return int64(r.Wall) })),
		CPU:     time.Duration(pick(func(r bench.Run) int64 { return int64(r.CPU) })),
		PeakRSS: pick(func(r bench.Run) int64 { return r.PeakRSS }),
	}
}

// score reads an output: its size, its PSNR against the reference of its
// crop (the best of the centre crop and its neighbours one pixel away, so
// that a renderer rounding the crop's corner otherwise is not penalised),
// and whether it carries the source's XMP packet.
func score(src image.Image, path string, o bench.RenditionOutput) (int, float64, bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, false, err
	}
	var img image.Image
	if o.Ext == "webp" {
		img, err = webp.Decode(bytes.NewReader(data))
	} else {
		img, err = jpeg.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("%s: %w", path, err)
	}
	if img.Bounds().Dx() != o.Width || img.Bounds().Dy() != o.Height {
		return 0, 0, false, fmt.Errorf("%s is %v, want %dx%d", path, img.Bounds().Size(), o.Width, o.Height)
	}
	sw, sh := src.Bounds().Dx(), src.Bounds().Dy()
	factor := math.Max(float64(o.Width)/float64(sw), float64(o.Height)/float64(sh))
	scaledW := max(int(math.Round(float64(sw)*factor)), o.Width)
	scaledH := max(int(math.Round(float64(sh)*factor)), o.Height)
	left, top := (scaledW-o.Width)/2, (scaledH-o.Height)/2
	best := math.Inf(-1)
	for _, d := range [][2]int{{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
		l, t := left+d[0], top+d[1]
		if l < 0 || t < 0 || l+o.Width > scaledW || t+o.Height > scaledH {
			continue
		}
		best = math.Max(best, bench.PSNR(img, bench.LanczosReference(src, scaledW, scaledH, l, t, o.Width, o.Height)))
	}
	return len(data), best, imagemeta.Marked(data), nil
}

// watchPeak samples the peak resident memory (VmHWM) of a running
// process every millisecond until the returned function is called after
// the process ended, counting only samples taken once it runs the program
// whose first argument is arg1: until exec, the child shares this
// process's memory. (The rusage of a child is no use here: Linux keeps
// its parent's peak across fork and exec.)
func watchPeak(pid int, arg1 string) func() int64 {
	var peak atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	status := fmt.Sprintf("/proc/%d/status", pid)
	cmdline := fmt.Sprintf("/proc/%d/cmdline", pid)
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if args, _ := os.ReadFile(cmdline); argAt(args, 1) == arg1 {
				if f, err := os.Open(status); err == nil {
					hwm, _, err := bench.ProcStatus(f)
					f.Close()
					if err == nil {
						peak.Store(max(peak.Load(), hwm))
					}
				}
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}

// argAt is argument i of a /proc/<pid>/cmdline, or "".
func argAt(cmdline []byte, i int) string {
	parts := strings.Split(string(cmdline), "\x00")
	if i < len(parts) {
		return parts[i]
	}
	return ""
}
