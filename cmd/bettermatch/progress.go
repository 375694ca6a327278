package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progressBar draws "stage [#####.....] 45% 450/1000" on a terminal, redrawn in
// place at most ten times a second; elsewhere (logs, CI) it prints a line per
// 10% so the output stays readable.
type progressBar struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	stage    string
	last     time.Time
	lastTen  int
	finished bool
}

func newProgressBar(w *os.File) *progressBar {
	fi, err := w.Stat()
	return &progressBar{w: w, tty: err == nil && fi.Mode()&os.ModeCharDevice != 0, lastTen: -1}
}

// Update is a service.Progress.
func (p *progressBar) Update(stage string, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if stage != p.stage {
		if p.stage != "" && p.tty {
			fmt.Fprintln(p.w)
		}
		p.stage, p.lastTen = stage, -1
	}
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	if !p.tty {
		if ten := pct / 10; ten != p.lastTen {
			p.lastTen = ten
			fmt.Fprintf(p.w, "%s: %d%% (%d/%d)\n", stage, pct, done, total)
		}
		return
	}
	if done < total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	n := pct * width / 100
	fmt.Fprintf(p.w, "\r%-22s [%s%s] %3d%% %d/%d", stage, strings.Repeat("#", n), strings.Repeat(".", width-n), pct, done, total)
}

// Done ends the current line.
func (p *progressBar) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.stage != "" {
		fmt.Fprintln(p.w)
	}
	p.stage = ""
}
