package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// credentialsTokenPrefix starts the name of a ready token as credentials.
const credentialsTokenPrefix = "the token from "

// credentialsInUse names the credentials the provider sends to Akool and
// where they came from, for diagnostics; never their values. It is "" when
// no way of authenticating is set.
func (s providerSettings) credentialsInUse() string {
	switch {
	case s.apiKey.set():
		return "the API key from " + s.apiKey.describe()
	case s.clientID.set():
		from := fmt.Sprintf("%s and %s", s.clientID.describe(), s.clientSecret.describe())
		if s.clientID.fromEnv == s.clientSecret.fromEnv {
			from = "the client_id and client_secret arguments"
			if s.clientID.fromEnv {
				from = "the " + envClientID + " and " + envClientSecret + " environment variables"
			}
		}
		return "the client id and client secret from " + from + " (exchanged for a token through Akool's getToken)"
	case s.token.set():
		return credentialsTokenPrefix + s.token.describe()
	default:
		return ""
	}
}

// rejectedCredentialsError is an answer of Akool that refuses the
// credentials (code 1101 or 1102), with which credentials the provider sent.
// It wraps the client's error, so errors.As still finds the *akool.APIError.
type rejectedCredentialsError struct {
	err         error
	code        int
	credentials string // as credentialsInUse names them
}

func (e *rejectedCredentialsError) Error() string { return e.err.Error() }

func (e *rejectedCredentialsError) Unwrap() error { return e.err }

// meaning replaces the generic meaning of the code with one that names the
// credentials in use.
func (e *rejectedCredentialsError) meaning() string {
	if e.code == akool.CodeNoAuth {
		return fmt.Sprintf("Akool says it received no credentials, although the provider sent %s; check that "+
			"the value is not empty or truncated, and that no proxy between the provider and Akool strips the "+
			"authentication headers.", e.credentials)
	}
	advice := "Check that value, or authenticate another way."
	if strings.HasPrefix(e.credentials, credentialsTokenPrefix) {
		advice = "A token stops working when it expires: get a new one from Akool's getToken, or authenticate " +
			"with an API key or a client id and client secret instead."
	}
	return fmt.Sprintf("Akool rejected %s as invalid or expired. %s", e.credentials, advice)
}

// credentialsNote returns err, wrapped so that its diagnostic names the
// credentials in use when Akool refused them.
func (d *providerData) credentialsNote(err error) error {
	var apiErr *akool.APIError
	if d == nil || d.credentials == "" || !errors.As(err, &apiErr) {
		return err
	}
	if apiErr.Code != akool.CodeInvalidToken && apiErr.Code != akool.CodeNoAuth {
		return err
	}
	return &rejectedCredentialsError{err: err, code: apiErr.Code, credentials: d.credentials}
}

// answerMeaning says what Akool's answer e, found in err, means and what the
// user can do; a refusal of the credentials names the ones in use.
func answerMeaning(err error, e *akool.APIError) string {
	var rejected *rejectedCredentialsError
	if errors.As(err, &rejected) {
		return rejected.meaning()
	}
	return e.Meaning()
}
