package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/service"
)

func importCmd(ctx context.Context, cfg *config, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	skip := fs.Bool("skip-invalid", false, "load the valid records of a file that has invalid ones (by default nothing is written)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("usage: bettermatch import [-skip-invalid] FILE...")
	}
	log := newLogger(cfg)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.svc.Start(ctx, false, nil); err != nil {
		return err
	}
	bar := newProgressBar(os.Stderr)
	for _, path := range fs.Args() {
		start := time.Now()
		ds, err := parseFile(path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rep, err := a.svc.Import(ctx, ds.SMEs, ds.Challenges, ds.Courses, service.ImportOptions{SkipInvalid: *skip, Progress: bar.Update})
		bar.Done()
		if rep != nil {
			printReport(path, rep, time.Since(start))
		}
		if err != nil {
			return fmt.Errorf("%s: %s", path, domain.ErrorMessage(err))
		}
	}
	return nil
}

func printReport(path string, rep *service.ImportReport, took time.Duration) {
	fmt.Printf("%s (%.1fs)\n", path, took.Seconds())
	for _, k := range []struct {
		name string
		st   domain.ImportStats
	}{{"SMEs", rep.SMEs}, {"challenges", rep.Challenges}, {"courses", rep.Courses}} {
		fmt.Printf("  %-10s %6d created  %6d updated  %6d unchanged\n", k.name, k.st.Created, k.st.Updated, k.st.Unchanged)
	}
	for i, e := range rep.Errors {
		if i == 50 {
			fmt.Printf("  … and %d more invalid records\n", len(rep.Errors)-50)
			break
		}
		b, _ := json.Marshal(e.Fields)
		fmt.Printf("  invalid %s #%d %s: %s\n", e.Kind, e.Row, e.Key, b)
	}
}

func reindexCmd(ctx context.Context, cfg *config) error {
	log := newLogger(cfg)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	bar := newProgressBar(os.Stderr)
	start := time.Now()
	if err := a.svc.Start(ctx, true, bar.Update); err != nil {
		return err
	}
	bar.Done()
	fmt.Printf("reindexed in %.1fs\n", time.Since(start).Seconds())
	return nil
}
