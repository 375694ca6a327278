// Package eval measures ranking quality against human judgments: nDCG for
// graded rankings, precision and recall for sets. It is pure (no I/O beyond
// decoding a reader) so the same figures come out of tests, the command line
// and CI.
package eval

import "math"

// Gain is the gain of a graded judgment: 2^grade − 1, so a grade-2 record is
// worth three grade-1 ones and unjudged records nothing.
func Gain(grade int) float64 {
	if grade <= 0 {
		return 0
	}
	return math.Exp2(float64(grade)) - 1
}

// DCG is the discounted cumulative gain of the first k ids of ranked, with a
// log2(rank+1) discount.
func DCG(ranked []string, grades map[string]int, k int) float64 {
	var s float64
	for i, id := range ranked {
		if i >= k {
			break
		}
		s += Gain(grades[id]) / math.Log2(float64(i+2))
	}
	return s
}

// IdealDCG is the DCG of the best possible order of the judged records.
func IdealDCG(grades map[string]int, k int) float64 {
	gs := make([]int, 0, len(grades))
	for _, g := range grades {
		if g > 0 {
			gs = append(gs, g)
		}
	}
	// Sort descending; judgment lists are small, insertion sort keeps the
	// package free of anything but math.
	for i := 1; i < len(gs); i++ {
		for j := i; j > 0 && gs[j] > gs[j-1]; j-- {
			gs[j], gs[j-1] = gs[j-1], gs[j]
		}
	}
	var s float64
	for i, g := range gs {
		if i >= k {
			break
		}
		s += Gain(g) / math.Log2(float64(i+2))
	}
	return s
}

// NDCG is DCG@k over the ideal DCG@k; 0 when nothing is relevant.
func NDCG(ranked []string, grades map[string]int, k int) float64 {
	ideal := IdealDCG(grades, k)
	if ideal == 0 {
		return 0
	}
	return DCG(ranked, grades, k) / ideal
}

// PrecisionAt is the share of the first k ranked ids that are relevant. A
// ranking shorter than k is still divided by k, so returning fewer results is
// no way to look precise; when fewer than k records are relevant at all, the
// divisor is that number instead, so a perfect answer scores 1.
func PrecisionAt(ranked []string, relevant map[string]bool, k int) float64 {
	d := k
	if len(relevant) < d {
		d = len(relevant)
	}
	if d == 0 {
		return 0
	}
	hit := 0
	for i, id := range ranked {
		if i >= k {
			break
		}
		if relevant[id] {
			hit++
		}
	}
	return float64(hit) / float64(d)
}

// Recall is the share of want found in got; 1 when want is empty.
func Recall(got []string, want []string) float64 {
	if len(want) == 0 {
		return 1
	}
	have := make(map[string]bool, len(got))
	for _, g := range got {
		have[g] = true
	}
	n := 0
	for _, w := range want {
		if have[w] {
			n++
		}
	}
	return float64(n) / float64(len(want))
}

// Mean is the arithmetic mean, 0 for no values.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
