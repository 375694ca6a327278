package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/bettermatch/bettermatch/internal/httpapi"
	"github.com/bettermatch/bettermatch/internal/mailer"
)

// config is everything bettermatch reads from its environment, in one place.
type config struct {
	Addr            string
	DataDir         string
	MongoURI        string
	MongoDatabase   string
	JWTSecret       string
	TokenTTL        time.Duration
	AdminEmail      string
	AdminPassword   string
	Demo            bool
	LogLevel        slog.Level
	LogFormat       string
	OpenAIKey       string
	OpenAIBaseURL   string
	EmbeddingModel  string
	SyncInterval    time.Duration
	PasswordProfile string
	SMTPURL         string
	PublicURL       string
	RefreshTTL      time.Duration
	TrustProxy      bool
	CORSOrigins     []string
	RequestTimeout  time.Duration
	// MaxReads bounds the reads served at once (httpapi.Options.MaxReads).
	MaxReads int
	// ComputeSlots bounds the searches and rankings run at once
	// (service.Deps.ComputeSlots).
	ComputeSlots int
	// PprofAddr, when set, serves net/http/pprof there (loopback only), for
	// profiling under load.
	PprofAddr string
	// Sign-in rate limits: attempts per email and per client address.
	EmailLimit, AddrLimit rateLimit
}

// rateLimit is N attempts per window, written "5/15m".
type rateLimit struct {
	N      int
	Window time.Duration
}

func parseRateLimit(s string) (rateLimit, error) {
	n, w, ok := strings.Cut(s, "/")
	var r rateLimit
	var err error
	if r.N, err = strconv.Atoi(strings.TrimSpace(n)); !ok || err != nil || r.N < 1 {
		return r, fmt.Errorf("want attempts per window, like 5/15m")
	}
	if r.Window, err = time.ParseDuration(strings.TrimSpace(w)); err != nil || r.Window < time.Second {
		return r, fmt.Errorf("want attempts per window, like 5/15m")
	}
	return r, nil
}

func (r rateLimit) String() string { return fmt.Sprintf("%d/%s", r.N, r.Window) }

func loadConfig(getenv func(string) string) (*config, error) {
	env := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := &config{
		Addr:           env("BETTERMATCH_ADDR", ":8080"),
		DataDir:        env("BETTERMATCH_DATA_DIR", "./data"),
		MongoURI:       env("MONGODB_URI", ""),
		MongoDatabase:  env("MONGODB_DATABASE", "bettermatch"),
		JWTSecret:      getenv("BETTERMATCH_JWT_SECRET"),
		AdminEmail:     env("BETTERMATCH_ADMIN_EMAIL", ""),
		AdminPassword:  getenv("BETTERMATCH_ADMIN_PASSWORD"),
		LogFormat:      env("BETTERMATCH_LOG_FORMAT", "json"),
		OpenAIKey:      getenv("OPENAI_API_KEY"),
		OpenAIBaseURL:  env("OPENAI_BASE_URL", ""),
		EmbeddingModel: env("BETTERMATCH_EMBEDDING_MODEL", "text-embedding-3-small"),
		SMTPURL:        env("BETTERMATCH_SMTP_URL", ""),
		PublicURL:      strings.TrimRight(env("BETTERMATCH_PUBLIC_URL", ""), "/"),
	}
	var err error
	if c.TokenTTL, err = time.ParseDuration(env("BETTERMATCH_TOKEN_TTL", "15m")); err != nil || c.TokenTTL < time.Minute {
		return nil, fmt.Errorf("BETTERMATCH_TOKEN_TTL: want a duration of at least 1m, like 15m or 1h")
	}
	if c.RefreshTTL, err = time.ParseDuration(env("BETTERMATCH_REFRESH_TTL", "720h")); err != nil || c.RefreshTTL < c.TokenTTL {
		return nil, fmt.Errorf("BETTERMATCH_REFRESH_TTL: want a duration no shorter than BETTERMATCH_TOKEN_TTL, like 720h")
	}
	if c.TrustProxy, err = strconv.ParseBool(env("BETTERMATCH_TRUST_PROXY", "false")); err != nil {
		return nil, fmt.Errorf("BETTERMATCH_TRUST_PROXY: want true or false")
	}
	if c.CORSOrigins, err = httpapi.ParseOrigins(getenv("BETTERMATCH_CORS_ORIGINS")); err != nil {
		return nil, fmt.Errorf("BETTERMATCH_CORS_ORIGINS: %w", err)
	}
	c.PprofAddr = env("BETTERMATCH_PPROF_ADDR", "")
	if c.RequestTimeout, err = time.ParseDuration(env("BETTERMATCH_REQUEST_TIMEOUT", "30s")); err != nil || c.RequestTimeout < time.Second {
		return nil, fmt.Errorf("BETTERMATCH_REQUEST_TIMEOUT: want a duration of at least 1s, like 30s")
	}
	if c.MaxReads, err = strconv.Atoi(env("BETTERMATCH_MAX_READS", strconv.Itoa(httpapi.DefaultMaxReads()))); err != nil || c.MaxReads < 1 {
		return nil, fmt.Errorf("BETTERMATCH_MAX_READS: want a positive number, like 8")
	}
	if c.ComputeSlots, err = strconv.Atoi(env("BETTERMATCH_COMPUTE_SLOTS", strconv.Itoa(runtime.GOMAXPROCS(0)))); err != nil || c.ComputeSlots < 1 {
		return nil, fmt.Errorf("BETTERMATCH_COMPUTE_SLOTS: want a positive number, like 2")
	}
	if c.EmailLimit, err = parseRateLimit(env("BETTERMATCH_SIGNIN_LIMIT_EMAIL", "5/15m")); err != nil {
		return nil, fmt.Errorf("BETTERMATCH_SIGNIN_LIMIT_EMAIL: %w", err)
	}
	if c.AddrLimit, err = parseRateLimit(env("BETTERMATCH_SIGNIN_LIMIT_ADDR", "20/1m")); err != nil {
		return nil, fmt.Errorf("BETTERMATCH_SIGNIN_LIMIT_ADDR: %w", err)
	}
	if c.SyncInterval, err = time.ParseDuration(env("BETTERMATCH_SYNC_INTERVAL", "2s")); err != nil || c.SyncInterval <= 0 {
		return nil, fmt.Errorf("BETTERMATCH_SYNC_INTERVAL: want a positive duration, like 2s")
	}
	if c.Demo, err = strconv.ParseBool(env("BETTERMATCH_DEMO", "false")); err != nil {
		return nil, fmt.Errorf("BETTERMATCH_DEMO: want true or false")
	}
	if err := c.LogLevel.UnmarshalText([]byte(env("BETTERMATCH_LOG_LEVEL", "info"))); err != nil {
		return nil, fmt.Errorf("BETTERMATCH_LOG_LEVEL: want debug, info, warn or error")
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return nil, fmt.Errorf("set both BETTERMATCH_ADMIN_EMAIL and BETTERMATCH_ADMIN_PASSWORD, or neither")
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		return nil, fmt.Errorf("BETTERMATCH_JWT_SECRET must be at least 32 characters")
	}
	if c.SMTPURL != "" {
		// Checked here so a typo stops the start, not the first email; the
		// errors never repeat the URL, which holds a password.
		if _, err := mailer.ParseURL(c.SMTPURL); err != nil {
			return nil, fmt.Errorf("BETTERMATCH_SMTP_URL: %w", err)
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("BETTERMATCH_PUBLIC_URL: want the site's address, like https://bettermatch.example.gov")
		}
	}
	if c.DataDir, err = filepath.Abs(c.DataDir); err != nil {
		return nil, err
	}
	return c, nil
}

// logAttrs describes the configuration for the start-up log, secrets masked.
func (c *config) logAttrs() []any {
	mask := func(s string) string {
		if s == "" {
			return "(unset)"
		}
		return "(set)"
	}
	db := "embedded FerretDB under " + filepath.Join(c.DataDir, "db")
	if c.MongoURI != "" {
		db = redactURI(c.MongoURI)
	}
	return []any{"addr", c.Addr, "data_dir", c.DataDir, "database", db, "mongodb_database", c.MongoDatabase,
		"jwt_secret", mask(c.JWTSecret), "token_ttl", c.TokenTTL.String(), "admin_email", c.AdminEmail,
		"admin_password", mask(c.AdminPassword), "demo", c.Demo, "openai_api_key", mask(c.OpenAIKey),
		"openai_base_url", c.OpenAIBaseURL, "embedding_model", c.EmbeddingModel,
		"smtp_url", redactURL(c.SMTPURL), "public_url", c.PublicURL,
		"refresh_ttl", c.RefreshTTL.String(), "trust_proxy", c.TrustProxy, "cors_origins", strings.Join(c.CORSOrigins, ","),
		"request_timeout", c.RequestTimeout.String(), "max_reads", c.MaxReads, "compute_slots", c.ComputeSlots, "signin_limit_email", c.EmailLimit.String(), "signin_limit_addr", c.AddrLimit.String()}
}

// redactURI hides the password in a MongoDB URI.
func redactURI(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return u
	}
	creds := u[scheme+3 : at]
	if i := strings.Index(creds, ":"); i >= 0 {
		creds = creds[:i] + ":****"
	}
	return u[:scheme+3] + creds + u[at:]
}

// redactURL hides the password in a URL such as BETTERMATCH_SMTP_URL, whose
// query may hold more '@' signs than redactURI expects.
func redactURL(s string) string {
	if s == "" {
		return "(unset)"
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(set)"
	}
	return u.Redacted()
}
