package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memory is a process's resident memory, in bytes.
type memory struct {
	RSS  int64 // VmRSS: resident now
	Peak int64 // VmHWM: the most ever resident
}

// parseStatus reads VmRSS and VmHWM from /proc/<pid>/status.
func parseStatus(r io.Reader) (memory, error) {
	var m memory
	found := 0
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(value)
		if len(f) != 2 || f[1] != "kB" {
			return m, fmt.Errorf("unexpected %s line %q", name, sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return m, err
		}
		if name == "VmRSS" {
			m.RSS = kb * 1024
		} else {
			m.Peak = kb * 1024
		}
		found++
	}
	if err := sc.Err(); err != nil {
		return m, err
	}
	if found != 2 {
		return m, fmt.Errorf("VmRSS or VmHWM missing")
	}
	return m, nil
}

func readMemory(pid int) (memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	defer f.Close()
	return parseStatus(f)
}

// rssSampler samples a process's memory ten times a second, keeping the
// largest RSS since the last reset.
type rssSampler struct {
	pid  int
	stop chan struct{}
	done chan struct{}

	mu     sync.Mutex
	last   memory
	maxRSS int64
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	s.sample()
	go func() {
		defer close(s.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

func (s *rssSampler) sample() {
	m, err := readMemory(s.pid)
	if err != nil {
		return // the process has gone; keep the last figures
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = m
	s.maxRSS = max(s.maxRSS, m.RSS)
}

// reset starts a new window for the largest RSS.
func (s *rssSampler) reset() {
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxRSS = s.last.RSS
}

// window returns the largest RSS since reset and the process's peak so far.
func (s *rssSampler) window() (maxRSS, peak int64) {
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxRSS, s.last.Peak
}

func (s *rssSampler) close() {
	close(s.stop)
	<-s.done
}
