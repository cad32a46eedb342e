package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// badInput is one value that breaks a constraint of the schema: in the
// block of kind ("provider", "resource" or "data") and type (empty for the
// provider), attribute (a path such as "index" or "timeouts.create") is
// set by the line marked with badLine. body is the block's content; the
// marked line must be in it.
type badInput struct {
	kind, typ string
	attribute string
	body      string
	badLine   string // the exact line of body that sets the bad value
	summary   string // regexp of the error's summary
}

// key names the attribute as the guard test does.
func (b badInput) key() string {
	switch b.kind {
	case "provider":
		return "provider." + b.attribute
	case "data":
		return "data." + b.typ + "." + b.attribute
	}
	return b.typ + "." + b.attribute
}

const validImageID = "662a10df4197b3af58532e89"

// imageBody, v4Body and buttonBody are valid blocks with one line added.
func imageBody(line string) string {
	if strings.HasPrefix(line, "prompt ") {
		return line + "\n"
	}
	return "prompt = \"a valid prompt\"\n" + line + "\n"
}
func v4Body(line string) string {
	return "prompt = \"a valid prompt\"\napi_version = \"v4\"\nsource_image = \"https://example.com/a.png\"\n" + line + "\n"
}
func buttonBody(set map[string]string) string {
	lines := map[string]string{"image_id": `image_id = "` + validImageID + `"`, "index": "index = 1"}
	for k, v := range set {
		lines[k] = v
	}
	return lines["image_id"] + "\n" + lines["index"] + "\n" + lines["extra"] + "\n"
}

func imageCase(attribute, line, summary string) badInput {
	return badInput{kind: "resource", typ: "akool_generated_image", attribute: attribute, body: imageBody(line), badLine: line, summary: summary}
}

func v4Case(attribute, line, summary string) badInput {
	return badInput{kind: "resource", typ: "akool_generated_image", attribute: attribute, body: v4Body(line), badLine: line, summary: summary}
}

// badInputs lists bad values for every attribute that carries a constraint,
// and for the rules that involve several attributes.
func badInputs() []badInput {
	const (
		oneOf    = `Invalid Attribute Value Match`
		notEmpty = `Invalid Attribute Value Match`
		between  = `Invalid Attribute Value`
		badURL   = `Invalid URL`
		duration = `Invalid Attribute Value Time Duration`
	)
	cases := []badInput{
		imageCase("prompt", `prompt = ""`, notEmpty),
		imageCase("prompt", `prompt = "   "`, notEmpty),
		imageCase("api_version", `api_version = "v5"`, oneOf),
		imageCase("scale", `scale = "5:4"`, oneOf),
		imageCase("source_image", `source_image = "ftp://files.example.com/a.png"`, badURL),
		imageCase("source_image", `source_image = "just words"`, badURL),
		imageCase("webhook_url", `webhook_url = "hooks.example.com/akool"`, badURL),
		v4Case("model_name", `model_name = " "`, notEmpty),
		v4Case("resolution", `resolution = "8k"`, oneOf),
		v4Case("negative_prompt", `negative_prompt = ""`, notEmpty),
		v4Case("similarity", `similarity = 1.5`, between),
		v4Case("similarity", `similarity = -0.1`, between),
		{kind: "resource", typ: "akool_generated_image", attribute: "timeouts.create", badLine: `create = "soon"`,
			body: imageBody("timeouts {\ncreate = \"soon\"\n}"), summary: duration},
		// Rules over several attributes (ValidateConfig).
		imageCase("scale", `scale = "Original"`, `Invalid Scale for api_version`),
		{kind: "resource", typ: "akool_generated_image", attribute: "scale", badLine: `scale = "Original"`,
			body: "prompt = \"x\"\napi_version = \"v4\"\nscale = \"Original\"\n", summary: `Scale Original Needs a Source Image`},
		imageCase("model_name", `model_name = "wavespeed-ai/flux-krea-dev-lora"`, `Argument Requires api_version v4`),
		imageCase("resolution", `resolution = "4k"`, `Argument Requires api_version v4`),
		imageCase("negative_prompt", `negative_prompt = "dogs"`, `Argument Requires api_version v4`),
		imageCase("similarity", `similarity = 0.5`, `Argument Requires api_version v4`),
		{kind: "resource", typ: "akool_generated_image", attribute: "similarity", badLine: `similarity = 0.5`,
			body: "prompt = \"x\"\napi_version = \"v4\"\nsimilarity = 0.5\n", summary: `Similarity Needs a Source Image`},
		{kind: "resource", typ: "akool_generated_image", attribute: "model_name", badLine: `model_name = "wavespeed-ai/flux-kontext-dev"`,
			body: "prompt = \"x\"\napi_version = \"v4\"\nmodel_name = \"wavespeed-ai/flux-kontext-dev\"\n", summary: `Model Needs a Source Image`},

		{kind: "resource", typ: "akool_image_file", attribute: "url", badLine: `url = "not a url"`,
			body: "url = \"not a url\"\npath = \"out/a.png\"\n", summary: `Invalid Image URL`},
		{kind: "resource", typ: "akool_image_file", attribute: "url", badLine: `url = "ftp://files.example.com/a.png"`,
			body: "url = \"ftp://files.example.com/a.png\"\npath = \"out/a.png\"\n", summary: `Invalid Image URL`},
		{kind: "resource", typ: "akool_image_file", attribute: "path", badLine: `path = ""`,
			body: "url = \"https://example.com/a.png\"\npath = \"\"\n", summary: `Invalid Attribute Value Length`},
		{kind: "resource", typ: "akool_image_file", attribute: "timeouts.create", badLine: `create = "a while"`,
			body: "url = \"https://example.com/a.png\"\npath = \"out/a.png\"\ntimeouts {\ncreate = \"a while\"\n}\n", summary: duration},
		{kind: "resource", typ: "akool_image_file", attribute: "timeouts.update", badLine: `update = "10"`,
			body: "url = \"https://example.com/a.png\"\npath = \"out/a.png\"\ntimeouts {\nupdate = \"10\"\n}\n", summary: duration},
		{kind: "resource", typ: "akool_image_file", attribute: "image_id", badLine: `image_id = "hero"`,
			body: "url = \"https://example.com/a.png\"\npath = \"out/a.png\"\nimage_id = \"hero\"\n", summary: oneOf},

		{kind: "data", typ: "akool_image", attribute: "id", badLine: `id = "not-an-id"`, body: "id = \"not-an-id\"\n", summary: oneOf},
		{kind: "data", typ: "akool_image", attribute: "id", badLine: `id = "` + validImageID + `0"`, body: "id = \"" + validImageID + "0\"\n", summary: oneOf},

		{kind: "provider", attribute: "endpoint", badLine: `endpoint = "http://images.example.com"`, summary: `Invalid Akool Endpoint`},
		{kind: "provider", attribute: "endpoint", badLine: `endpoint = "ftp://127.0.0.1/"`, summary: `Invalid Akool Endpoint`},
		{kind: "provider", attribute: "endpoint", badLine: `endpoint = "https://user:pass@openapi.akool.com"`, summary: `Invalid Akool Endpoint`},
		{kind: "provider", attribute: "max_requests_per_second", badLine: `max_requests_per_second = 0`, summary: `Invalid Akool Request Rate`},
		{kind: "provider", attribute: "max_requests_per_second", badLine: `max_requests_per_second = -2`, summary: `Invalid Akool Request Rate`},
		{kind: "provider", attribute: "paid_request_timeout", badLine: `paid_request_timeout = "0s"`, summary: `Invalid Paid Request Timeout`},
		{kind: "provider", attribute: "paid_request_timeout", badLine: `paid_request_timeout = "two minutes"`, summary: `Invalid Paid Request Timeout`},
		{kind: "provider", attribute: "max_new_images", badLine: `max_new_images = -1`, summary: `Invalid Akool Spending Cap`},
	}
	for _, typ := range []string{"akool_image_upscale", "akool_image_variation"} {
		button := func(attribute, line string, set map[string]string, summary string) badInput {
			return badInput{kind: "resource", typ: typ, attribute: attribute, body: buttonBody(set), badLine: line, summary: summary}
		}
		cases = append(cases,
			button("image_id", `image_id = "not-an-id"`, map[string]string{"image_id": `image_id = "not-an-id"`}, oneOf),
			button("image_id", `image_id = "662a10df4197b3af58532e8g"`, map[string]string{"image_id": `image_id = "662a10df4197b3af58532e8g"`}, oneOf),
			button("index", `index = 0`, map[string]string{"index": `index = 0`}, between),
			button("index", `index = 5`, map[string]string{"index": `index = 5`}, between),
			button("webhook_url", `webhook_url = "ftp://hooks.example.com"`, map[string]string{"extra": `webhook_url = "ftp://hooks.example.com"`}, badURL),
			button("timeouts.create", `create = "forever"`, map[string]string{"extra": "timeouts {\ncreate = \"forever\"\n}"}, duration),
		)
	}
	rendition := func(attribute, line, summary string) badInput {
		lines := map[string]string{"source": `source = "in/a.png"`, "path": `path = "out/a.jpg"`, "width": "width = 100", "height": "height = 50"}
		lines[strings.Fields(line)[0]] = line
		body := lines["source"] + "\n" + lines["path"] + "\n" + lines["width"] + "\n" + lines["height"] + "\n"
		if _, ok := map[string]bool{"source": true, "path": true, "width": true, "height": true}[strings.Fields(line)[0]]; !ok {
			body += line + "\n"
		}
		return badInput{kind: "resource", typ: "akool_image_rendition", attribute: attribute, body: body, badLine: line, summary: summary}
	}
	cases = append(cases,
		rendition("source", `source = ""`, `Invalid Attribute Value Length`),
		rendition("source_sha256", `source_sha256 = "ABC"`, notEmpty),
		rendition("path", `path = ""`, `Invalid Attribute Value Length`),
		rendition("path", `path = "out/a.gif"`, `Unknown Image Format`),
		rendition("width", `width = 0`, between),
		rendition("height", `height = 9000`, between),
		rendition("fit", `fit = "fill"`, oneOf),
		rendition("focus", `focus = "face"`, oneOf),
		rendition("format", `format = "avif"`, oneOf),
		rendition("format", `format = "webp"`, `Format Contradicts Extension`),
		rendition("quality", `quality = 0`, between),
		rendition("lossless", `lossless = true`, `Lossless Applies to WebP Only`),
	)
	return cases
}

// badInputConfig is the configuration of one bad input: the provider block
// (with the bad line, for a provider case) and one block using it.
func badInputConfig(b badInput, url string) string {
	providerBody := fmt.Sprintf("endpoint = %q\napi_key = %q\n", url, testAccAPIKey)
	if b.kind == "provider" {
		name := strings.Fields(b.badLine)[0]
		providerBody = fmt.Sprintf("api_key = %q\n%s\n", testAccAPIKey, b.badLine)
		if name != "endpoint" {
			providerBody = fmt.Sprintf("endpoint = %q\n", url) + providerBody
		}
		return "provider \"akool\" {\n" + providerBody + "}\n" + imageBlock("resource", "akool_generated_image", imageBody(""))
	}
	return "provider \"akool\" {\n" + providerBody + "}\n" + imageBlock(b.kind, b.typ, b.body)
}

func imageBlock(kind, typ, body string) string {
	return fmt.Sprintf("%s %q \"bad\" {\n%s}\n", kind, typ, body)
}

// planDiagnostic is a diagnostic of terraform plan -json.
type planDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Range    *struct {
		Filename string `json:"filename"`
		Start    struct {
			Line int `json:"line"`
		} `json:"start"`
	} `json:"range"`
}

// planDiagnostics returns the error diagnostics of terraform plan -json.
func planDiagnostics(t *testing.T, stdout string) []planDiagnostic {
	t.Helper()
	var out []planDiagnostic
	for _, line := range strings.Split(stdout, "\n") {
		var msg struct {
			Type       string          `json:"type"`
			Diagnostic *planDiagnostic `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil || msg.Type != "diagnostic" || msg.Diagnostic == nil {
			continue
		}
		if msg.Diagnostic.Severity == "error" {
			out = append(out, *msg.Diagnostic)
		}
	}
	return out
}

// Every constrained attribute of the provider, the resources and the data
// sources refuses a bad value at plan time: terraform plan fails with an
// error that points at the attribute's line, and nothing at all is sent to
// Akool.
func TestAccBadInput_failsAtPlan(t *testing.T) {
	t.Parallel()
	e, url := newTestEmulator(t)
	h := newHarness(t, testAccImageConfig(url, "never generated"))

	cases := badInputs()
	for _, b := range cases {
		t.Run(b.key()+" "+b.badLine, func(t *testing.T) {
			config := badInputConfig(b, url)
			h.writeConfig(config)
			written := mustReadFile(t, filepath.Join(h.dir, "main.tf"))
			want := slices.Index(strings.Split(string(written), "\n"), b.badLine) + 1
			if want == 0 {
				t.Fatalf("the bad line %q is not in the configuration:\n%s", b.badLine, written)
			}
			res := h.run("plan", "-json", "-input=false")
			if res.exitCode == 0 {
				t.Fatalf("plan accepted %s:\n%s", b.badLine, res.output())
			}
			summary := regexp.MustCompile(b.summary)
			found := false
			var got []string
			for _, d := range planDiagnostics(t, res.stdout) {
				line := 0
				if d.Range != nil {
					line = d.Range.Start.Line
				}
				got = append(got, fmt.Sprintf("line %d: %s: %s", line, d.Summary, d.Detail))
				if line == want && summary.MatchString(d.Summary) {
					found = true
				}
			}
			if !found {
				t.Errorf("no error %q at line %d (the %s attribute); errors:\n%s\n%s", b.summary, want, b.attribute,
					strings.Join(got, "\n"), config)
			}
		})
	}
	figure(t, "bad inputs tried", len(cases))
	expectNoRequests(t, e)
}

// Every attribute that carries a validator has at least one bad input in
// the table of TestAccBadInput_failsAtPlan, so a new constraint cannot
// slip by untested.
func TestBadInput_everyConstraintListed(t *testing.T) {
	ctx := context.Background()
	constrained := map[string]bool{}

	p := New("test")()
	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	collectValidated("provider.", ps.Schema.Attributes, ps.Schema.Blocks, constrained)

	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "akool"}, &meta)
		rs := resourceSchema(t, r)
		collectValidated(meta.TypeName+".", rs.Attributes, rs.Blocks, constrained)
	}
	for _, newDataSource := range p.DataSources(ctx) {
		d := newDataSource()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "akool"}, &meta)
		var ds datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &ds)
		collectValidated("data."+meta.TypeName+".", ds.Schema.Attributes, ds.Schema.Blocks, constrained)
	}

	// The walk must find the constraints known today, or it proves nothing.
	for _, known := range []string{"provider.endpoint", "akool_generated_image.scale", "akool_generated_image.timeouts.create",
		"akool_image_upscale.index", "data.akool_image.id"} {
		if !constrained[known] {
			t.Fatalf("the schema walk did not find the validator of %s; found %v", known, constrained)
		}
	}

	listed := map[string]bool{}
	for _, b := range badInputs() {
		listed[b.key()] = true
	}
	var missing []string
	for key := range constrained {
		if !listed[key] {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("these attributes have validators but no bad input in badInputs(): %s", strings.Join(missing, ", "))
	}
	figure(t, "constrained attributes", len(constrained))
}

// collectValidated adds prefix+name to out for every attribute of attrs and
// of the nested blocks that has a validator. attrs and blocks are the
// Attributes and Blocks of any of the framework's schemas.
func collectValidated(prefix string, attrs, blocks any, out map[string]bool) {
	a := reflect.ValueOf(attrs)
	for _, name := range a.MapKeys() {
		if validatorCount(a.MapIndex(name).Interface()) > 0 {
			out[prefix+name.String()] = true
		}
	}
	b := reflect.ValueOf(blocks)
	if !b.IsValid() || b.Kind() != reflect.Map {
		return
	}
	for _, name := range b.MapKeys() {
		nested := b.MapIndex(name).MethodByName("GetNestedObject").Call(nil)[0]
		collectValidated(prefix+name.String()+".",
			nested.MethodByName("GetAttributes").Call(nil)[0].Interface(),
			nested.MethodByName("GetBlocks").Call(nil)[0].Interface(), out)
	}
}

// validatorCount is how many validators an attribute of any type carries.
func validatorCount(attribute any) int {
	v := reflect.ValueOf(attribute)
	n := 0
	for _, method := range []string{"StringValidators", "Int64Validators", "Int32Validators", "Float64Validators",
		"Float32Validators", "NumberValidators", "BoolValidators", "ListValidators", "SetValidators", "MapValidators",
		"ObjectValidators", "DynamicValidators"} {
		if m := v.MethodByName(method); m.IsValid() {
			n += m.Call(nil)[0].Len()
		}
	}
	return n
}
