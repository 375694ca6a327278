package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/importer"
	"github.com/bettermatch/bettermatch/internal/service"
)

func importCmd(ctx context.Context, cfg *config, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	skip := fs.Bool("skip-invalid", false, "load the valid records of a file that has invalid ones (by default nothing is written)")
	kind := fs.String("kind", "", "what CSV files hold: sme, challenge or course (default: told by the header)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("usage: bettermatch import [-skip-invalid] [-kind sme|challenge|course] FILE...")
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
		ds, err := parseFile(path, *kind)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		// The whole file is judged before anything is written, so rows that
		// could not even be read (CSV cells) stop it just as invalid records do.
		if probs := ds.Check(); len(probs) > 0 && !*skip {
			printProblems(probs)
			return fmt.Errorf("%s: %d invalid records; nothing was imported (-skip-invalid loads the valid ones)", path, len(probs))
		}
		rep, err := a.svc.Import(ctx, ds.SMEs, ds.Challenges, ds.Courses, service.ImportOptions{SkipInvalid: *skip, Progress: bar.Update})
		bar.Done()
		if rep != nil {
			printReport(path, ds, rep, time.Since(start))
		}
		if err != nil {
			return fmt.Errorf("%s: %s", path, domain.ErrorMessage(err))
		}
	}
	return nil
}

func printReport(path string, ds *importer.Dataset, rep *service.ImportReport, took time.Duration) {
	fmt.Printf("%s (%.1fs)\n", path, took.Seconds())
	for _, k := range []struct {
		name string
		st   domain.ImportStats
	}{{"SMEs", rep.SMEs}, {"challenges", rep.Challenges}, {"courses", rep.Courses}} {
		fmt.Printf("  %-10s %6d created  %6d updated  %6d unchanged\n", k.name, k.st.Created, k.st.Updated, k.st.Unchanged)
	}
	// The service counts rows among the records it was given; name the row
	// of the file instead, beside the rows the parser could not read.
	probs := append([]importer.Problem(nil), ds.Rejected...)
	for _, e := range rep.Errors {
		probs = append(probs, importer.Problem{Kind: e.Kind, Row: ds.Row(e.Kind, e.Row-1), Key: e.Key, Fields: e.Fields})
	}
	if len(probs) > 0 {
		fmt.Printf("  skipped %d invalid records:\n", len(probs))
		printProblems(probs)
	}
}

// printProblems lists invalid records, one line each: kind, row, externalId
// and what is wrong with which column.
func printProblems(probs []importer.Problem) {
	for i, p := range probs {
		if i == 100 {
			fmt.Printf("  … and %d more invalid records\n", len(probs)-100)
			break
		}
		fmt.Printf("  %s %s\n", p.Kind, p)
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
