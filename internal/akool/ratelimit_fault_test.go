package akool

import (
	"context"
	"testing"
	"time"
)

func TestLimiter_faultsDoNotEndAProbe(t *testing.T) {
	// Cut at a limit of 50 a second, the client sends at headroom times
	// it through the recovery, where Akool refuses one request in 50:
	// below the limit, those refusals are faults. Probing above, refusals
	// in a run, as a limit crossed gives, end the probe at once; after a
	// recovery without a fault, a lone refusal in a second is still what
	// the faults seen explain and must not end the next probe.
	clk := newFakeClock()
	l := newLimiter(0, clk.now)
	waitN(t, l, clk, 50, l.answer)
	for cut := 0.0; cut == 0; {
		_ = l.wait(context.Background(), clk.sleep, false)
		cut = l.refuse(clk.now())
	}
	sent := 0
	send := func(refused bool) float64 {
		_ = l.wait(context.Background(), clk.sleep, false)
		sent++
		if refused {
			return l.refuse(clk.now())
		}
		l.answer()
		return 0
	}
	recoverAt := func(faultEvery int) {
		cutAt := l.cutAt
		for clk.now().Sub(cutAt) < recoveryTime {
			if cut := send(faultEvery > 0 && sent%faultEvery == 0); cut != 0 {
				t.Fatalf("a fault below the limit, %v after the cut, cut the rate to %v", clk.now().Sub(cutAt), cut)
			}
		}
		start := clk.now()
		for clk.now().Sub(start) < time.Second {
			send(false)
		}
	}
	endProbe := func() {
		rate, _ := l.Rate()
		cut := 0.0
		for run := 0; cut == 0; run++ {
			if run == 5 {
				t.Fatalf("five refusals in a row at %.0f requests a second did not end the probe", rate)
			}
			cut = send(true)
		}
		if cut >= rate {
			t.Fatalf("refusals in a row ended the probe at %v, want below %v", cut, rate)
		}
	}
	recoverAt(50)
	endProbe()
	recoverAt(0)
	for probe := range 2 {
		rate, _ := l.Rate()
		if cut := send(true); cut != 0 {
			t.Fatalf("probe second %d: a lone refusal at %.0f requests a second ended the probe (rate %v)", probe+1, rate, cut)
		}
		start := clk.now()
		for clk.now().Sub(start) < time.Second {
			send(false)
		}
	}
	endProbe()
}

func TestLimiter_twoFaultsAmongTheFirstRequestsAreNotALimit(t *testing.T) {
	// Two requests answered, then two refused: four requests are too few
	// to tell faults from a limit, and taken for a limit they would pace
	// the whole run at two requests a second. A third refusal soon after
	// is beyond what faults give.
	clk := newFakeClock()
	l := newLimiter(0, clk.now)
	waitN(t, l, clk, 2, l.answer)
	for i := range 2 {
		_ = l.wait(context.Background(), clk.sleep, false)
		if cut := l.refuse(clk.now()); cut != 0 {
			t.Fatalf("refusal %d among the first four requests cut the rate to %v", i+1, cut)
		}
	}
	waitN(t, l, clk, 1, l.answer)
	refuseUntilCut(t, l, clk, 1)
}
