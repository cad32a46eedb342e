package akool

import (
	"context"
	"net/url"
	"slices"
	"strings"
)

// A webhook URL often carries a token in its query (Akool POSTs the result
// to it, and anyone who knows it can post there too), so a paid request
// treats it as a secret: error texts and log fields redact it like a
// credential. It travels in the request's context, from create to the
// exchange that builds the texts.

type requestSecretsKey struct{}

// minSecretValue is the shortest query value redacted on its own: shorter
// ones ("1", "on") are too common to be secrets and would garble texts.
const minSecretValue = 6

// withWebhookSecret returns ctx under which the texts of a request redact
// the webhook URL webhook, its query, and each longer value in the query.
func withWebhookSecret(ctx context.Context, webhook string) context.Context {
	if webhook == "" {
		return ctx
	}
	secrets := []string{webhook}
	if u, err := url.Parse(webhook); err == nil {
		if u.RawQuery != "" {
			secrets = append(secrets, u.RawQuery)
		}
		if password, ok := u.User.Password(); ok && len(password) >= minSecretValue {
			secrets = append(secrets, password)
		}
		for _, values := range u.Query() {
			for _, v := range values {
				if len(v) >= minSecretValue {
					secrets = append(secrets, v, url.QueryEscape(v))
				}
			}
		}
	}
	// The longest first, so that a whole URL is not left half redacted.
	slices.SortStableFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	return context.WithValue(ctx, requestSecretsKey{}, secrets)
}

// redactIn is redact, and also every secret of the request whose context
// is ctx.
func (c *Client) redactIn(ctx context.Context, s string) string {
	s = c.redact(s)
	secrets, _ := ctx.Value(requestSecretsKey{}).([]string)
	for _, secret := range secrets {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}

// redactErrIn is redactErr, and also every secret of the request whose
// context is ctx.
func (c *Client) redactErrIn(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: c.redactIn(ctx, err.Error()), err: err}
}
