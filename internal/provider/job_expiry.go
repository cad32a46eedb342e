package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// imageRetention is how long Akool keeps a result after generation: its URLs
// stop serving afterwards, and infobymodelid may answer 1008 for its id.
const imageRetention = 7 * 24 * time.Hour

// How the provider decides that an image has expired:
//
//   - Akool's answer is the truth: when infobymodelid answers code 1008 for
//     the id, the image is expired, whatever the date (it may also have been
//     removed early). Refresh then keeps the last known values and only sets
//     expired to true (markExpired).
//   - The date is the fallback: Akool documents that images are kept 7 days,
//     and a record may outlive its picture. So an image whose expires_at has
//     passed is expired too, even while Akool still reports the job, and also
//     when the provider cannot ask Akool (not configured yet during a plan).
//
// Either way the resource stays in state and nothing is planned: expires_at
// and expired only change during refresh, never in a plan.

// expiry returns expires_at (created plus imageRetention) and whether it has
// passed at now. Both are known values; expires_at is null, and expired false,
// when Akool reported no creation time.
func expiry(created, now time.Time) (types.String, types.Bool) {
	if created.IsZero() {
		return types.StringNull(), types.BoolValue(false)
	}
	expiresAt := created.Add(imageRetention)
	return timeOrNull(expiresAt), types.BoolValue(!now.Before(expiresAt))
}

// markExpired records that Akool no longer knows the job (code 1008): every
// last known value stays as it is and expired becomes true. expires_at is
// derived from created_at again, which also fills it in a state written
// before the attribute existed.
func (m *jobResultModel) markExpired() {
	if created, err := time.Parse(time.RFC3339, m.CreatedAt.ValueString()); err == nil {
		m.ExpiresAt, _ = expiry(created, created)
	} else if m.ExpiresAt.IsUnknown() {
		m.ExpiresAt = types.StringNull()
	}
	m.Expired = types.BoolValue(true)
}

// refreshExpiryByDate applies the date alone, before a refresh asks Akool
// (or when it cannot), and reports whether it changed anything. It never sets
// expired back to false: only Akool's answer can say that an image is still
// there.
func (m *jobResultModel) refreshExpiryByDate(now time.Time) bool {
	created, err := time.Parse(time.RFC3339, m.CreatedAt.ValueString())
	if err != nil || m.Expired.ValueBool() {
		return false
	}
	expiresAt, expired := expiry(created, now)
	if expiresAt.Equal(m.ExpiresAt) && expired.Equal(m.Expired) {
		return false
	}
	m.ExpiresAt, m.Expired = expiresAt, expired
	return true
}

// expiryWords are the parts of the expiry warnings that depend on the
// resource or data source.
type expiryWords struct {
	typeName   string // "akool_generated_image", "data source akool_image"
	noun       string // the job in sentences: "image", "upscale", "variation"
	urls       string // the attributes whose URLs stop serving: "image_url and upscaled_urls"
	kept       string // a sentence: why the resource stays in state
	regenerate string // full sentences: how to get a new picture deliberately
}

// generatedImageExpiry are the expiry warnings' words for akool_generated_image.
var generatedImageExpiry = expiryWords{
	typeName: "akool_generated_image",
	noun:     "image",
	urls:     "image_url and upscaled_urls",
	kept: "The resource stays in state with its last known values and expired = true, so that Terraform does " +
		"not generate (and pay for) a different image on its own: nothing is planned for it.",
	regenerate: "To generate a new image deliberately, which spends credits, change a value in its triggers, or " +
		"run terraform apply -replace=<address> (the address shown with this warning).",
}

// imageDataSourceExpiry are the expiry warnings' words for the akool_image
// data source.
var imageDataSourceExpiry = expiryWords{
	typeName: "data source akool_image",
	noun:     "image",
	urls:     "image_url and upscaled_urls",
	kept:     "Its other attributes are what Akool still reports, with expired = true.",
	regenerate: "Use a copy of the picture saved before it expired, or look up or generate a newer image " +
		"(generating spends credits).",
}

// expiryWords are the expiry warnings' words for a button resource.
func (k *buttonKind) expiryWords() expiryWords {
	urls := "image_url"
	if k.grid != nil {
		urls = "image_url and upscaled_urls"
	}
	return expiryWords{
		typeName: k.typeName(),
		noun:     k.noun,
		urls:     urls,
		kept: "The resource stays in state with its last known values and expired = true, so that Terraform " +
			"does not press a button, and pay, again on its own: nothing is planned for it.",
		regenerate: fmt.Sprintf("The parent image expires no later than this one, and the buttons of an expired "+
			"image can no longer be pressed: a new %s needs a new parent image (change a value in the parent's "+
			"triggers, or run terraform apply -replace=<the parent's address>), which replaces this resource too "+
			"and spends credits.", k.noun),
	}
}

// expiredWarning is the warning for an image whose expires_at has passed
// while Akool still reports the job, or nil when m is not expired.
func expiredWarning(w expiryWords, m *jobResultModel) diag.Diagnostics {
	if !m.Expired.ValueBool() {
		return nil
	}
	var diags diag.Diagnostics
	diags.AddWarning(w.summary("Image Expired", m),
		fmt.Sprintf("%s %s (%s) expired at %s: Akool keeps images for 7 days after generation, so its URLs (%s) no "+
			"longer serve, even while Akool may still report the job. %s %s",
			capitalize(w.noun), m.ID.ValueString(), w.typeName, m.ExpiresAt.ValueString(), w.urls, w.kept, w.regenerate))
	return diags
}

// goneWarning is the warning for a refresh that Akool answered with code
// 1008: it no longer knows the job, and the resource keeps its last known
// values with expired = true.
func goneWarning(w expiryWords, m *jobResultModel) diag.Diagnostic {
	when := "Akool keeps images for 7 days after generation"
	if !m.ExpiresAt.IsNull() {
		when += ", until " + m.ExpiresAt.ValueString() + " for this one"
	}
	return diag.NewWarningDiagnostic(w.summary("Image No Longer Known to Akool", m),
		fmt.Sprintf("%s: it no longer knows it (%s; or it was removed). Its URLs (%s) no longer serve. %s %s",
			w.notFound(m), when, w.urls, w.kept, w.regenerate))
}

// summary names the job in the summary: Terraform shows only the first of
// several warnings with the same summary in full, and every expired image
// must be named.
func (w expiryWords) summary(what string, m *jobResultModel) string {
	return fmt.Sprintf("%s: %s %s", what, w.typeName, m.ID.ValueString())
}

// notFound opens the detail of a warning about a job that Akool answered
// 1008 for, naming the job as the summary does.
func (w expiryWords) notFound(m *jobResultModel) string {
	return fmt.Sprintf("Akool answered code 1008 (not found) for %s %s (%s)", w.noun, m.ID.ValueString(), w.typeName)
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
