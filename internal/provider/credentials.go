package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

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

// credentialChecks runs the check of the credentials at most once per
// provider process and set of settings: Terraform configures the provider
// again for each walk of a run, and each check is a request to Akool.
type credentialChecks struct {
	mu     sync.Mutex
	checks map[string]*credentialCheck // by settings.fingerprint()
}

type credentialCheck struct {
	once sync.Once
	err  error
}

// verify asks Akool for the credit balance with client, once per process
// and settings, and returns its error.
func (c *credentialChecks) verify(ctx context.Context, s providerSettings, client *akool.Client) error {
	c.mu.Lock()
	if c.checks == nil {
		c.checks = map[string]*credentialCheck{}
	}
	key := s.fingerprint()
	check := c.checks[key]
	if check == nil {
		check = &credentialCheck{}
		c.checks[key] = check
	}
	c.mu.Unlock()
	check.once.Do(func() { _, check.err = client.Credit(ctx) })
	return check.err
}

// verifyCredentials checks, with a request that spends nothing (the credit
// balance), that Akool accepts the credentials, so that a plan that will
// call Akool fails on refused credentials instead of the apply after it. Only
// a refusal is an error, reported once per walk; any other failure is left to
// the requests that need Akool, which report it in their own words.
func (d *providerData) verifyCredentials(ctx context.Context, diags *diag.Diagnostics) {
	if d == nil || d.checkCredentials == nil {
		return
	}
	err := d.credentialsNote(d.checkCredentials(ctx))
	var apiErr *akool.APIError
	switch {
	case err == nil:
	case errors.As(err, &apiErr) && (apiErr.Code == akool.CodeInvalidToken || apiErr.Code == akool.CodeNoAuth || apiErr.Code == akool.CodeBanned):
		d.credentialsReported.Do(func() {
			diags.AddError("Akool Refused the Credentials",
				"The provider checks its credentials once per run, before planning a call to Akool, by reading "+
					"the account's credit balance (quota/info), which spends nothing. "+apiErrorText(err, apiErr)+
					" Nothing was generated and no credits were spent.")
		})
	default:
		tflog.Warn(ctx, "Could not check the Akool credentials; requests that need Akool will report any problem",
			map[string]any{"error": err.Error()})
	}
}

// planCredentials is the part of ModifyPlan about credentials. A plan that
// will call Akool (a create, which also covers a replacement, or the wait
// for an unfinished job) checks that Akool accepts them, or, without
// credentials, fails; destroying is a removal from state and needs none.
func (d *providerData) planCredentials(ctx context.Context, req resource.ModifyPlanRequest, typeName string, diags *diag.Diagnostics) {
	if d == nil {
		return
	}
	if req.Plan.Raw.IsNull() {
		d.noteStateOnlyDestroy(ctx, req, typeName, diags)
		return
	}
	operation := "create " + typeName
	if !req.State.Raw.IsNull() {
		if job := jobInState(ctx, req.State, diags); !job.pending() {
			return
		}
		operation = "wait for the unfinished job of " + typeName
	}
	if d.missingCredentials != nil {
		d.requireClient(diags, operation)
		return
	}
	d.verifyCredentials(ctx, diags)
}

// noteStateOnlyDestroy says, when the provider has no credentials, that
// destroying the resource needs none: it only leaves Terraform state, and
// the image stays in the Akool account until it expires.
func (d *providerData) noteStateOnlyDestroy(ctx context.Context, req resource.ModifyPlanRequest, typeName string, diags *diag.Diagnostics) {
	if d == nil || d.missingCredentials == nil || req.State.Raw.IsNull() {
		return
	}
	var id, expiresAt types.String
	diags.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	diags.Append(req.State.GetAttribute(ctx, path.Root("expires_at"), &expiresAt)...)
	until := "until it expires (Akool keeps images for 7 days after generation)"
	if isSet(expiresAt) {
		until = "until it expires at " + expiresAt.ValueString()
	}
	diags.AddWarning("Image Stays in the Akool Account",
		fmt.Sprintf("The provider has no credentials for Akool, and needs none to destroy %s %s: Akool has no "+
			"delete call, so destroying only removes it from Terraform state. The image stays in the Akool "+
			"account %s.", typeName, id.ValueString(), until))
}
