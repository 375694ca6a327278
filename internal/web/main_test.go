package web_test

import (
	"os"
	"testing"

	"github.com/bettermatch/bettermatch/internal/testenv"
)

// One embedded database serves the package's tests; each test gets its own
// database in it.
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
