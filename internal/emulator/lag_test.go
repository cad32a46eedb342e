package emulator_test

import (
	"testing"

	"github.com/akool-community/terraform-provider-akool/internal/emulator"
)

// LagReads answers the next reads of one finished job 1008, then answers
// as before; other jobs are not touched, and nothing lags unless asked.
func TestLagReads(t *testing.T) {
	e := start(t, emulator.Options{})
	grid, other := e.finishedGrid(), e.finishedGrid()
	if a := e.info(grid.ID); a.Code != 1000 {
		t.Fatalf("read before any lag: code %d, want 1000", a.Code)
	}

	e.emu.LagReads(grid.ID, 2)
	for i := range 2 {
		if a := e.info(grid.ID); a.Code != 1008 {
			t.Errorf("lagging read %d: code %d, want 1008", i+1, a.Code)
		}
	}
	if a := e.info(other.ID); a.Code != 1000 {
		t.Errorf("read of another job: code %d, want 1000", a.Code)
	}
	if job := e.job(grid.ID); job.ImageStatus != 3 || job.Image == "" {
		t.Errorf("read after the lag: %+v; want the finished job as before", job)
	}

	e.emu.LagReads(grid.ID, 5)
	e.emu.LagReads(grid.ID, 0)
	if a := e.info(grid.ID); a.Code != 1000 {
		t.Errorf("read after the lag was ended: code %d, want 1000", a.Code)
	}
}
