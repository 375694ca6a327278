// Package auth issues and verifies access tokens and hashes passwords.
//
// It is the only package that imports github.com/golang-jwt/jwt/v5 and
// golang.org/x/crypto, so the choice of algorithms and their parameters lives
// in one place. It implements domain.TokenService and domain.PasswordHasher;
// the rest of bettermatch sees only those interfaces and *domain.Error values.
package auth

import "github.com/bettermatch/bettermatch/internal/domain"

// Compile-time checks that the concrete types satisfy the domain interfaces.
var (
	_ domain.TokenService   = (*Tokens)(nil)
	_ domain.PasswordHasher = (*Hasher)(nil)
)
