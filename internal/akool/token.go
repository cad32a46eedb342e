package akool

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// tokenCache holds the bearer token fetched with the client id and secret.
// Concurrent callers share one getToken call.
type tokenCache struct {
	mu       sync.Mutex
	token    string
	gen      uint64 // counts fetched tokens; 0 = none yet
	inflight *tokenFetch
}

// tokenFetch is one getToken call that other callers can wait for.
type tokenFetch struct {
	done          chan struct{}
	err           error
	leaderStopped bool // the fetching caller's ctx ended: waiters fetch themselves
}

func (tc *tokenCache) current() string {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.token
}

// bearerToken returns the cached token and its generation, fetching one when
// there is none yet or when the cached one is of generation stale (Akool
// refused it). A stale generation of 0 accepts any cached token. Comparing
// generations rather than values matters: getToken may hand out the same
// token again.
func (c *Client) bearerToken(ctx context.Context, stale uint64) (string, uint64, error) {
	tc := &c.tokens
	for {
		tc.mu.Lock()
		if tc.gen != 0 && tc.gen != stale {
			token, gen := tc.token, tc.gen
			tc.mu.Unlock()
			return token, gen, nil
		}
		if f := tc.inflight; f != nil {
			tc.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return "", 0, fmt.Errorf("akool %s: waiting for a token: %w", epGetToken.path, ctx.Err())
			}
			if f.err != nil && !f.leaderStopped {
				return "", 0, f.err
			}
			continue
		}
		f := &tokenFetch{done: make(chan struct{})}
		tc.inflight = f
		tc.mu.Unlock()

		token, err := c.fetchToken(ctx)

		tc.mu.Lock()
		tc.inflight = nil
		var gen uint64
		if err == nil {
			tc.gen++
			tc.token, gen = token, tc.gen
		}
		f.err, f.leaderStopped = err, err != nil && ctx.Err() != nil
		tc.mu.Unlock()
		close(f.done)
		return token, gen, err
	}
}

type tokenRequest struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// fetchToken exchanges the client id and secret for a bearer token.
func (c *Client) fetchToken(ctx context.Context) (string, error) {
	env, err := c.call(ctx, epGetToken, nil, tokenRequest{ClientID: c.clientID, ClientSecret: c.secret})
	if err != nil {
		return "", err
	}
	token := decodeToken(env)
	if token == "" {
		return "", &APIError{Code: 0, Message: "getToken answered success without a token", HTTPStatus: env.Status, Endpoint: epGetToken.path}
	}
	if strings.ContainsFunc(token, isControl) {
		return "", &APIError{Code: 0, Message: "getToken answered a token that cannot be sent in a header", HTTPStatus: env.Status, Endpoint: epGetToken.path}
	}
	return token, nil
}
