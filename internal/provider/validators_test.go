package provider

import "testing"

func TestCheckHTTPURL(t *testing.T) {
	for _, ok := range []string{"https://example.com/a.png", "http://127.0.0.1:8080/hook", "https://cdn.example.com/x?y=1"} {
		if err := checkHTTPURL(ok); err != nil {
			t.Errorf("checkHTTPURL(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", " https://example.com", "example.com/a.png", "ftp://example.com/a.png", "https://", "file:///tmp/a.png", "just words"} {
		if err := checkHTTPURL(bad); err == nil {
			t.Errorf("checkHTTPURL(%q) = nil, want an error", bad)
		}
	}
}

func TestImageIDPattern(t *testing.T) {
	for id, want := range map[string]bool{
		"662a10df4197b3af58532e89":  true,
		"662A10DF4197B3AF58532E89":  true,
		"662a10df4197b3af58532e8":   false,
		"662a10df4197b3af58532e890": false,
		"662a10df4197b3af58532e8g":  false,
	} {
		if got := imageIDPattern.MatchString(id); got != want {
			t.Errorf("imageIDPattern.MatchString(%q) = %v, want %v", id, got, want)
		}
	}
}
