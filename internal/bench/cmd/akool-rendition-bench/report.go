package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
)

func report(w io.Writer, f bench.RenditionFigures, notes string) {
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(w, "renditions: %s (%dx%d), %s, %d CPUs, load average %s\n", f.Source, f.Width, f.Height,
		runtime.Version(), runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))
	if notes != "" {
		fmt.Fprintf(w, "renditions: %s\n", notes)
	}
	fmt.Fprintf(w, "%-18s %-9s %9s %9s %9s %9s %8s %8s %8s %8s %7s %7s\n", "output", "", "wall", "vips", "cpu", "vips", "bytes", "vips", "PSNR", "vips", "MiB", "vips")
	for _, o := range f.Outputs {
		fmt.Fprintf(w, "%-18s %-9s %8.3fs %8.3fs %8.3fs %8.3fs %8d %8d %8.2f %8.2f %7.1f %7.1f\n", o.Output.Name, "",
			o.Ours.Wall.Seconds(), o.Vips.Wall.Seconds(), o.Ours.CPU.Seconds(), o.Vips.CPU.Seconds(),
			o.OurBytes, o.VipsBytes, o.OurPSNR, o.VipsPSNR, mib(o.Ours.PeakRSS), mib(o.Vips.PeakRSS))
		if !o.VipsMarked {
			fmt.Fprintf(w, "%-18s vipsthumbnail's output does not carry the source's XMP packet\n", "")
		}
	}
	fmt.Fprintf(w, "%-18s %-9s %8.3fs %8.3fs %8.3fs %8.3fs %8s %8s %8s %8s %7.1f %7.1f\n", "six of one source", "",
		f.Six.Wall.Seconds(), f.SixVips.Wall.Seconds(), f.Six.CPU.Seconds(), f.SixVips.CPU.Seconds(), "", "", "", "",
		mib(f.Six.PeakRSS), mib(f.SixVips.PeakRSS))
	fmt.Fprintln(w, "(one process each; six vipsthumbnail runs add their wall and CPU times and show their largest peak memory;"+
		" wall time on a shared machine is noisy, CPU time less so)")
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
