// Command gendata writes a synthetic import file (the JSON format of
// `bettermatch import`) with N SME profiles and a few challenges and courses,
// for load tests and the 100k import benchmark. The vocabulary is varied so
// that indexing and ranking do realistic work.
//
//	go run ./scripts/gendata -smes 100000 -o /tmp/100k.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

var (
	regions = []string{"West Midlands", "Liguria", "Észak-Alföld", "Gävleborg", "Tartu County", "Greater Manchester", "Lancashire"}
	sizes   = []string{"micro", "small", "medium"}
	caps    = []string{"air quality monitoring", "IoT sensor networks", "geospatial mapping", "machine learning",
		"predictive analytics", "open data publishing", "data platform engineering", "user research",
		"accessibility auditing", "e-procurement and payments", "telecare and remote monitoring",
		"traffic modelling", "route optimisation", "cyber security", "cloud migration", "digital twins",
		"energy management", "chatbots", "mobile apps", "data visualisation", "health data analysis",
		"fleet telematics", "smart parking", "citizen engagement platforms", "records management"}
	skills = []string{"Python", "R", "Go", "PostgreSQL", "GIS", "LoRaWAN", "Kubernetes", "React", "WCAG 2.1",
		"statistics", "HL7 FHIR", "GDPR", "Power BI", "TensorFlow", "MQTT", "CKAN", "OpenStreetMap", "Azure", "AWS"}
	cpvs = []string{"72316000-3", "72212000-4", "38432200-4", "71354000-4", "72413000-8", "48000000-8",
		"72222300-0", "79411100-9", "85323000-9", "34144900-7", "71311200-3", "72000000-5", "73000000-2"}
	words = strings.Fields(`we build deliver design operate support councils hospitals schools transport
		operators public services residents data sensors dashboards platforms software apps analytics models
		maps networks cloud security accessibility research training pilots procurement payments energy
		buildings vehicles parking traffic air pollution health care social housing waste water libraries
		tourism events archives records citizens engagement open standards interoperability integration`)
)

func pick[T any](r *rand.Rand, xs []T, n int) []T {
	out := make([]T, 0, n)
	for _, i := range r.Perm(len(xs))[:n] {
		out = append(out, xs[i])
	}
	return out
}

func sentence(r *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = words[r.IntN(len(words))]
	}
	return strings.ToUpper(w[0][:1]) + strings.Join(w, " ")[1:] + "."
}

func main() {
	n := flag.Int("smes", 100000, "how many SME profiles")
	out := flag.String("o", "", "output file (default stdout)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	r := rand.New(rand.NewPCG(*seed, 2))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		w = bufio.NewWriterSize(f, 1<<20)
	}
	defer w.Flush()
	enc := json.NewEncoder(w)
	w.WriteString(`{"smes":[`)
	for i := 0; i < *n; i++ {
		if i > 0 {
			w.WriteString(",")
		}
		c := pick(r, caps, 1+r.IntN(3))
		enc.Encode(map[string]any{
			"externalId": fmt.Sprintf("gen-sme-%06d", i), "name": fmt.Sprintf("Synthetic %s %d", strings.Title(c[0]), i),
			"size": sizes[r.IntN(3)], "region": regions[r.IntN(len(regions))],
			"summary":      "We provide " + strings.Join(c, " and ") + ".",
			"description":  sentence(r, 12) + " " + sentence(r, 15) + " " + sentence(r, 10),
			"capabilities": c, "skills": pick(r, skills, r.IntN(4)), "cpv": pick(r, cpvs, r.IntN(3)),
		})
	}
	w.WriteString(`],"challenges":[`)
	for i := 0; i < 20; i++ {
		if i > 0 {
			w.WriteString(",")
		}
		c := pick(r, caps, 2)
		enc.Encode(map[string]any{
			"externalId": fmt.Sprintf("gen-ch-%03d", i), "title": "Help with " + c[0], "organisation": "Synthetic Council",
			"region": regions[r.IntN(len(regions))], "summary": "We need " + strings.Join(c, " and ") + ".",
			"description": sentence(r, 20), "theme": []string{"health", "data", "mobility", "sme-digital", "other"}[i%5],
			"requiredCapabilities": c, "requiredSkills": pick(r, skills, 2), "cpv": pick(r, cpvs, 2),
			"budget": map[string]any{"min": 10000, "max": 80000, "currency": "GBP"}, "deadline": "2027-06-30T17:00:00Z", "status": "open",
		})
	}
	w.WriteString(`],"courses":[`)
	for i := 0; i < 40; i++ {
		if i > 0 {
			w.WriteString(",")
		}
		enc.Encode(map[string]any{
			"externalId": fmt.Sprintf("gen-co-%03d", i), "provider": "Synthetic Academy", "title": "Foundations of " + caps[i%len(caps)],
			"description": sentence(r, 15), "skills": []string{caps[i%len(caps)], skills[i%len(skills)]},
			"mode": []string{"online", "in-person", "blended"}[i%3], "region": regions[i%len(regions)], "hours": 6 + i, "cost": 50 * (i % 7), "funded": i%2 == 0,
		})
	}
	w.WriteString(`]}`)
}
