package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/akool-community/terraform-provider-akool/internal/akool"
)

// notFoundKept decides what a refresh does when Akool answers code 1008 for
// the job in m at now. A single 1008 proves little: Akool's reads lag
// behind its writes, and credentials of another Akool account get 1008 for
// every id. kept says that the job stays in state as it is, with warning
// (possibly none) to give; otherwise the 1008 marks it expired
// (markExpired) and it is not read again.
//
//   - A job that has not delivered its picture and is younger than
//     akool.JobLostAfter is not shown yet: the next apply waits for it.
//   - A failed job stays as it is: it is dead whatever Akool answers, and
//     the plan names it and says what it does about it (a replacement, or
//     a failed press kept). No warning here may promise a free wait.
//   - A finished image younger than Akool's 7 days by the time in its own
//     id cannot have expired: it keeps its values, and the next refresh
//     reads it again.
func notFoundKept(w expiryWords, m *jobResultModel, now time.Time) (warning diag.Diagnostics, kept bool) {
	if m.Status.ValueString() == akool.StatusFailed.String() {
		return nil, true
	}
	if !m.delivered() {
		if age, known := jobAge(m, now); known && age < akool.JobLostAfter {
			return diag.Diagnostics{notShownWarning(w, m, age)}, true
		}
		return nil, false
	}
	made, known := akool.IDTime(m.ID.ValueString())
	if !known || now.Sub(made) >= imageRetention {
		return nil, false
	}
	return diag.Diagnostics{youngNotFoundWarning(w, m, made)}, true
}

// youngNotFoundDoc is the part of a job resource's documentation on a 1008
// for a young finished image.
const youngNotFoundDoc = "A 1008 for a finished image whose id says it was made less than 7 days ago does not " +
	"expire it: a read served by a replica that has not caught up gets that answer, and so do credentials of " +
	"another Akool account. Refresh then warns (\"Image Not Found by Akool\"), keeps every value with " +
	"`expired = false`, plans nothing, and the next refresh reads it again. "

// youngNotFoundWarning is the refresh's warning for a finished image that
// Akool answered 1008 for although its id says it was made (at made) less
// than 7 days ago.
func youngNotFoundWarning(w expiryWords, m *jobResultModel, made time.Time) diag.Diagnostic {
	return diag.NewWarningDiagnostic(w.summary("Image Not Found by Akool", m),
		fmt.Sprintf("%s, but its id says it was made at %s, "+
			"less than 7 days ago: Akool keeps images for 7 days, so it cannot have expired yet. A read served by a "+
			"replica that has not caught up gets this answer, and so do credentials of another Akool account than "+
			"the one that made the image. Nothing is marked expired: the resource keeps its last known values "+
			"(its URLs, %s, may well still serve), nothing is planned for it, and the next refresh (terraform plan "+
			"or terraform apply) reads it again. If this warning stays, check that the provider's credentials "+
			"belong to the Akool account that generated the image.",
			w.notFound(m), made.UTC().Format(time.RFC3339), w.urls))
}
