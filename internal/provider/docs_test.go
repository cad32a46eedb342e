package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docsPages reads every generated page under docs/, by path relative to it.
func docsPages(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..", "docs")
	pages := map[string]string{}
	for p, content := range readFiles(t, root, func(p string) bool { return filepath.Ext(p) == ".md" }) {
		rel, _ := filepath.Rel(root, p)
		pages[filepath.ToSlash(rel)] = content
	}
	return pages
}

// readFiles reads every file under root whose path keep accepts, by its
// path.
func readFiles(t *testing.T, root string, keep func(path string) bool) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !keep(p) {
			return err
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[p] = string(content)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// frontMatter splits a page into its front matter's description and its body.
func frontMatter(page string) (description, body string) {
	parts := strings.SplitN(page, "---\n", 3)
	if len(parts) < 3 {
		return "", page
	}
	_, desc, _ := strings.Cut(parts[1], "description: |-\n")
	return strings.TrimSpace(desc), parts[2]
}

var sentenceEnd = regexp.MustCompile(`[.!?](\s+|$)`)

// proseSentences gives the sentences of a page's prose: not its code
// blocks, tables, headings or the schema's lists of attributes.
func proseSentences(body string) []string {
	var sentences []string
	inCode := false
	var paragraph []string
	flush := func() {
		text := strings.Join(paragraph, " ")
		paragraph = nil
		for _, s := range sentenceEnd.Split(text, -1) {
			if s = strings.Join(strings.Fields(s), " "); len(s) >= 40 {
				sentences = append(sentences, s)
			}
		}
	}
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```"):
			inCode = !inCode
			flush()
		case inCode, strings.HasPrefix(trimmed, "|"), strings.HasPrefix(trimmed, "#"), strings.HasPrefix(trimmed, "<!--"),
			strings.HasPrefix(trimmed, "- `"): // attributes repeat what changing them does
			flush()
		case trimmed == "":
			flush()
		default:
			paragraph = append(paragraph, trimmed)
		}
	}
	flush()
	return sentences
}

// The registry pages read well: a short front-matter description, Example
// Usage first, one Import section with both an import block and the command,
// and no sentence said twice.
func TestDocs_registryPages(t *testing.T) {
	t.Parallel()
	pages := docsPages(t)
	for _, want := range []string{"index.md", "guides/testing-modules.md", "guides/pipelines.md", "guides/image-marking.md",
		"resources/generated_image.md", "resources/image_upscale.md", "resources/image_variation.md",
		"resources/image_file.md", "data-sources/account.md", "data-sources/image.md"} {
		if _, ok := pages[want]; !ok {
			t.Errorf("docs/%s is missing", want)
		}
	}

	for name, page := range pages {
		description, body := frontMatter(page)
		if n := len(sentenceEnd.FindAllString(description, -1)); description == "" || n > 2 {
			t.Errorf("docs/%s: the front-matter description has %d sentences, want one or two:\n%s", name, n, description)
		}
		seen := map[string]bool{}
		for _, s := range proseSentences(body) {
			if seen[s] {
				t.Errorf("docs/%s says this sentence twice: %q", name, s)
			}
			seen[s] = true
		}

		if !strings.HasPrefix(name, "resources/") && !strings.HasPrefix(name, "data-sources/") {
			continue
		}
		headings := regexp.MustCompile(`(?m)^## .*$`).FindAllString(body, -1)
		if len(headings) == 0 || headings[0] != "## Example Usage" {
			t.Errorf("docs/%s: the first section is %q, want Example Usage before any explanation", name, headings)
		}
		if !strings.HasPrefix(name, "resources/") {
			continue
		}
		if n := strings.Count(body, "\n## Import\n"); n != 1 {
			t.Errorf("docs/%s has %d Import sections, want 1", name, n)
		}
		_, imports, _ := strings.Cut(body, "\n## Import\n")
		if !strings.Contains(imports, "import {") || !strings.Contains(imports, "terraform import akool_") {
			t.Errorf("docs/%s: the Import section lacks an import block or the terraform import command", name)
		}
	}

	index := pages["index.md"]
	for _, want := range []string{"HTTPS_PROXY", "NO_PROXY", "retried up to 6 times", "30 seconds", "max_new_images", "AKOOL_MAX_NEW_IMAGES", "guides/pipelines.md", "guides/testing-modules.md"} {
		if !strings.Contains(index, want) {
			t.Errorf("docs/index.md does not mention %q", want)
		}
	}
	if file := pages["resources/image_file.md"]; !strings.Contains(file, "Defaults to `5m`") {
		t.Error("docs/resources/image_file.md does not say what its timeouts default to")
	}
	for guide, topics := range map[string][]string{
		"guides/testing-modules.md": {"terraform test", "mock_provider", "AKOOL_ENDPOINT", "akool-emulator", "dev_overrides", "kill $!"},
		"guides/image-marking.md": {"trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia", "exiftool",
			"not a [C2PA]", "JUMBF", "strip", "download_sha256", "enabled = false", "AltTextAccessibility"},
		"guides/pipelines.md": {"AKOOL_API_KEY", "secret", "max_new_images", "akool_account", "precondition", "akool_image_file",
			"7 days", "not tainted", "postcondition", "-detailed-exitcode", "aws_s3_object", "templatefile", "artifact"},
	} {
		for _, topic := range topics {
			if !strings.Contains(pages[guide], topic) {
				t.Errorf("docs/%s does not cover %q", guide, topic)
			}
		}
	}
}

// akool_account's example outputs nothing that changes after every apply:
// the balance drops with each generation, so an output of it would show a
// change in every plan.
func TestDocs_accountExampleHasNoChangingOutput(t *testing.T) {
	t.Parallel()
	example := readExample(t, "data-sources", "akool_account", "data-source.tf")
	if regexp.MustCompile(`(?s)output\s+"[^"]*"\s*\{[^}]*akool_account\.[a-z_]+\.credit`).MatchString(example) {
		t.Error("the akool_account example outputs the credit balance, which changes after every apply")
	}
}

// The README starts the emulator's binary in the background, never `go run`:
// killing `$!` must stop the emulator, and with go run `$!` is the go command.
func TestDocs_readmeStartsTheEmulatorBinary(t *testing.T) {
	t.Parallel()
	readme := mustReadFile(t, filepath.Join("..", "..", "README.md"))
	background := regexp.MustCompile(`(?m)^.*akool-emulator.*&\s*$`).FindAllString(string(readme), -1)
	if len(background) == 0 {
		t.Fatal("the README does not show how to start the emulator")
	}
	for _, line := range background {
		if strings.Contains(line, "go run") {
			t.Errorf("the README starts the emulator with go run, which kill $! does not stop: %s", line)
		}
	}
}
