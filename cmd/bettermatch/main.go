// Command bettermatch is the whole service in one binary: `serve` runs the API
// and the web pages (on an embedded database when no MONGODB_URI is set),
// `import` bulk-loads data, `reindex` rebuilds the search index, `eval` measures
// ranking quality on a labelled set.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bettermatch:", err)
		os.Exit(1)
	}
}

const usage = `bettermatch — match public-sector challenges with the SMEs that can solve them

Usage:
  bettermatch serve              run the API and web pages on $BETTERMATCH_ADDR (default :8080)
  bettermatch import FILE...     load SMEs, challenges and courses (JSON or CSV), idempotent on externalId
  bettermatch reindex            rebuild the search index from the database
  bettermatch export [-format ocds|csv] [-kind challenge|sme|course] [-o FILE]
                                 published challenges as an OCDS release package, or records as CSV
  bettermatch eval FILE QRELS    import a labelled set into a throwaway database and print ranking quality
  bettermatch healthcheck        exit 0 when the local server answers /healthz (for container health checks)
  bettermatch help               this text

Configuration is read from the environment; see README.md.
`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		args = []string{"serve"}
	}
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return err
	}
	// BETTERMATCH_CPUPROFILE writes a CPU profile of the whole command, for
	// finding where an import or a reindex spends its time.
	if path := os.Getenv("BETTERMATCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	switch args[0] {
	case "serve":
		return serve(ctx, cfg)
	case "import":
		return importCmd(ctx, cfg, args[1:])
	case "reindex":
		return reindexCmd(ctx, cfg)
	case "eval":
		return evalCmd(ctx, cfg, args[1:])
	case "export":
		return exportCmd(ctx, cfg, args[1:])
	case "healthcheck":
		return healthcheck(ctx, cfg)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}
