package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/bench"
)

// memorySampler records the peak resident memory of the provider's
// processes: terraform starts the provider binary (found by its path) as a
// child process, possibly more than once per command.
type memorySampler struct {
	binary string
	done   chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	max    int64
}

func newMemorySampler(binary string) *memorySampler {
	return &memorySampler{binary: binary, done: make(chan struct{})}
}

func (m *memorySampler) start() {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	}()
}

func (m *memorySampler) stop() {
	close(m.done)
	m.wg.Wait()
}

func (m *memorySampler) peak() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.max
}

func (m *memorySampler) sample() {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	const comm = "terraform-provi" // the kernel keeps 15 characters of a process name
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		name, err := os.ReadFile(filepath.Join(dir, "comm"))
		if err != nil || !strings.HasPrefix(string(name), comm) {
			continue
		}
		if exe, err := os.Readlink(filepath.Join(dir, "exe")); err != nil || exe != m.binary {
			continue
		}
		f, err := os.Open(filepath.Join(dir, "status"))
		if err != nil {
			continue
		}
		peak, _, err := bench.ProcStatus(f)
		f.Close()
		if err == nil {
			m.mu.Lock()
			m.max = max(m.max, peak)
			m.mu.Unlock()
		}
	}
}
