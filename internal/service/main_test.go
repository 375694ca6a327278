package service_test

import (
	"os"
	"testing"

	"github.com/bettermatch/bettermatch/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
