package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/bettermatch/bettermatch/internal/domain"
	"github.com/bettermatch/bettermatch/internal/importer"
	"github.com/bettermatch/bettermatch/internal/ocds"
)

// exportCmd writes published challenges as an OCDS release package, or one
// kind of record as CSV in the import format's columns (so `import` reads it
// back). It streams from the database, so any size of data fits.
func exportCmd(ctx context.Context, cfg *config, args []string) (err error) {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	format := fs.String("format", "ocds", "ocds (published challenges as an OCDS 1.1.5 release package) or csv")
	kind := fs.String("kind", "challenge", "for csv: challenge, sme or course")
	out := fs.String("o", "", "write to this file instead of standard output")
	base := fs.String("base-url", "", "the service's public address, for links in OCDS releases (e.g. https://match.example.org)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New("usage: bettermatch export [-format ocds|csv] [-kind challenge|sme|course] [-o FILE] [-base-url URL]")
	}
	if *format != "ocds" && *format != "csv" {
		return fmt.Errorf("export: -format must be ocds or csv, not %q", *format)
	}
	a, err := openApp(ctx, cfg, newLogger(cfg))
	if err != nil {
		return err
	}
	defer a.Close()

	var w io.Writer = os.Stdout
	if *out != "" {
		// Write beside the target and rename at the end, so a failed export
		// never leaves a truncated file where a good one is expected.
		tmp, err := os.CreateTemp(filepath.Dir(*out), ".export-*")
		if err != nil {
			return err
		}
		defer func() {
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = os.Rename(tmp.Name(), *out)
			}
			if err != nil {
				os.Remove(tmp.Name())
			}
		}()
		w = tmp
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	defer func() {
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
	}()
	n := 0
	switch {
	case *format == "ocds":
		pw := ocds.NewPackageWriter(bw, *base+"/api/v1/ocds/releases", ocds.Publisher{Name: "bettermatch", URI: *base})
		err = a.svc.EachPublishedChallenge(ctx, time.Time{}, func(c *domain.Challenge) error {
			name, err := a.svc.SMEName(ctx, c.AwardedSMEID)
			if err != nil {
				return err
			}
			n++
			return pw.Add(ocds.NewRelease(c, name, ocds.Options{BaseURL: *base}))
		})
		if err == nil {
			err = pw.Close(a.svc.Now())
		}
	case *kind == domain.KindChallenge:
		cw := importer.NewChallengeWriter(bw)
		err = finishCSV(cw.Header(), a.svc.EachChallenge(ctx, func(c *domain.Challenge) error { n++; return cw.Write(c) }), cw.Flush)
	case *kind == domain.KindSME:
		cw := importer.NewSMEWriter(bw)
		err = finishCSV(cw.Header(), a.svc.EachSME(ctx, func(s *domain.SME) error { n++; return cw.Write(s) }), cw.Flush)
	case *kind == domain.KindCourse:
		cw := importer.NewCourseWriter(bw)
		err = finishCSV(cw.Header(), a.svc.EachCourse(ctx, func(c *domain.Course) error { n++; return cw.Write(c) }), cw.Flush)
	default:
		return fmt.Errorf("export: -kind must be challenge, sme or course, not %q", *kind)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(os.Stderr, "exported %d records\n", n)
	return nil
}

func finishCSV(headerErr, eachErr error, flush func() error) error {
	return errors.Join(headerErr, eachErr, flush())
}
