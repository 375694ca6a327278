package main

import (
	"testing"
	"time"
)

func TestConfig_SecurityDefaults(t *testing.T) {
	c, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenTTL != 15*time.Minute || c.RefreshTTL != 30*24*time.Hour || c.TrustProxy || len(c.CORSOrigins) != 0 ||
		c.RequestTimeout != 30*time.Second || c.EmailLimit != (rateLimit{5, 15 * time.Minute}) || c.AddrLimit != (rateLimit{20, time.Minute}) {
		t.Fatalf("defaults: %+v", c)
	}
	env := map[string]string{"BETTERMATCH_TRUST_PROXY": "true", "BETTERMATCH_CORS_ORIGINS": "https://a.example, http://localhost:3000",
		"BETTERMATCH_SIGNIN_LIMIT_ADDR": "100/1m", "BETTERMATCH_SIGNIN_LIMIT_EMAIL": "10 / 1h", "BETTERMATCH_REFRESH_TTL": "24h"}
	c, err = loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if !c.TrustProxy || len(c.CORSOrigins) != 2 || c.CORSOrigins[1] != "http://localhost:3000" ||
		c.AddrLimit != (rateLimit{100, time.Minute}) || c.EmailLimit != (rateLimit{10, time.Hour}) || c.RefreshTTL != 24*time.Hour {
		t.Fatalf("set: %+v", c)
	}
	for k, v := range map[string]string{
		"BETTERMATCH_TRUST_PROXY":        "yes please",
		"BETTERMATCH_CORS_ORIGINS":       "https://a.example/path",
		"BETTERMATCH_SIGNIN_LIMIT_ADDR":  "20",
		"BETTERMATCH_SIGNIN_LIMIT_EMAIL": "0/15m",
		"BETTERMATCH_REQUEST_TIMEOUT":    "10ms",
		"BETTERMATCH_REFRESH_TTL":        "1m", // shorter than the access token
	} {
		if _, err := loadConfig(func(key string) string {
			if key == k {
				return v
			}
			return ""
		}); err == nil {
			t.Errorf("%s=%q accepted", k, v)
		}
	}
}
