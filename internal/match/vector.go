package match

import "math"

// unit returns v scaled to length 1, or nil for a zero vector.
func unit(v []float32) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return nil
	}
	n := float32(1 / math.Sqrt(s))
	u := make([]float32, len(v))
	for i, x := range v {
		u[i] = x * n
	}
	return u
}

// dot of two unit vectors is their cosine; vectors of different models (and
// so lengths) are unrelated and score 0.
func dot(a, b []float32) float64 {
	if len(a) != len(b) {
		return 0
	}
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}
