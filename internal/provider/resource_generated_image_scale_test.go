package provider

import "testing"

func TestNearestScale(t *testing.T) {
	tests := []struct {
		width, height int
		want          string
		ok            bool
	}{
		{1024, 1024, "1:1", true},
		{1024, 768, "4:3", true},
		{768, 1024, "3:4", true},
		{1024, 576, "16:9", true},
		{1080, 1920, "9:16", true},
		{1536, 1024, "3:2", true},
		{1024, 1536, "2:3", true},
		{1920, 1088, "16:9", true}, // rounded to a multiple of 64
		{1000, 1000 * 5 / 4, "", false},
		{1250, 1000, "", false}, // 5:4 lies between 1:1 and 4:3
		{0, 100, "", false},
	}
	for _, tt := range tests {
		got, ok := nearestScale(tt.width, tt.height)
		if got != tt.want || ok != tt.ok {
			t.Errorf("nearestScale(%d, %d) = %q, %v; want %q, %v", tt.width, tt.height, got, ok, tt.want, tt.ok)
		}
	}
}
