package provider

import (
	"fmt"
	"time"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// A paid request (a create, a button press) that has been sent runs to
// Akool's answer or to the client's request timeout, even when Terraform
// interrupts the operation: the answer carries the id of a job that was paid
// for (see akool's finishOnceSent). Once it has the id, Create saves it and
// stops as a wait interrupted by Terraform does. The functions below explain
// the case where no usable answer ever came.

// inFlightSection is the part of a job resource's documentation on an
// interrupt while its paid request (what: "the request to generate") is on
// its way; summary is the error's when no answer comes, unanswered says what
// the user can do then.
func inFlightSection(what, summary, unanswered string) string {
	return "## An interrupt while the request is on its way\n\n" +
		"Once " + what + " has been sent, an interrupt (Ctrl-C, or a pipeline cancelling the run) does not cut " +
		"it short: the provider waits for Akool's answer, up to " + inWords(akool.DefaultRequestTimeout) + ", because it carries the id of the job " +
		"Akool has accepted and charged for. It saves the id and stops as above: a warning, **not tainted**, and " +
		"the next plain `terraform apply` continues waiting for the same job for free. A request not sent yet " +
		"when the interrupt comes is not sent. When no answer ever comes (the connection closed after sending, " +
		"or " + inWords(akool.DefaultRequestTimeout) + " passed), the apply fails with \"" + summary + "\" and the provider does not send the " +
		"request again, to avoid paying twice. " + unanswered + "\n\n"
}

// pressCheckTimeout bounds the read of a parent image after a press whose
// answer never came; the read also runs after Terraform interrupted the
// operation, to tell the user whether Akool registered the press.
const pressCheckTimeout = 20 * time.Second

// noAnswerText says what became of a paid request (what it did: "press
// button U2 of image X") that was sent and got no usable answer;
// interrupted says that Terraform interrupted the operation meanwhile.
func noAnswerText(what string, uncertain *akool.UncertainError, interrupted bool) string {
	sent, answer := "but "+uncertain.Reason, ", but it did not come"
	switch {
	case uncertain.Accepted():
		sent, answer = "and Akool reported success, but its answer could not be used", ": it came, but without a usable job id"
	case uncertain.Reason == "":
		sent = "but no usable answer arrived"
	}
	text := fmt.Sprintf("The request to %s was sent, %s (%v).", what, sent, uncertain.Err)
	if interrupted {
		text += " Terraform was interrupted while the request was on its way; the provider kept waiting for " +
			"Akool's answer, which carries the new job's id" + answer + "."
	}
	return text + " The provider did not send the request again, to avoid paying twice."
}
