package useragent

import (
	"testing"
)

const chromeLinux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.8078.73 Safari/537.36"

func TestParse(t *testing.T) {
	for _, tc := range []struct{ ua, browser, bver, os, over, typ string }{
		{chromeLinux, "Chrome Headless", "156.0.8078.73", "Linux", "", "desktop"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51", "Edge", "124.0.2478.51", "Windows", "10.0", "desktop"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15", "Safari", "17.4", "macOS", "10.15.7", "desktop"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", "Safari", "17.4", "iOS", "17.4", "mobile"},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36", "Chrome", "124.0.6367.82", "Android", "14", "mobile"},
		{"Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Safari/537.36", "Samsung Internet", "24.0", "Android", "13", "tablet"},
		{"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", "Firefox", "125.0", "Linux", "", "desktop"},
		{"", "", "", "", "", ""},
	} {
		b, bv := Browser(tc.ua)
		o, ov := OS(tc.ua)
		if b != tc.browser || bv != tc.bver || o != tc.os || ov != tc.over || DeviceType(tc.ua) != tc.typ {
			t.Errorf("%q: got %s %s / %s %s / %s, want %s %s / %s %s / %s", tc.ua, b, bv, o, ov, DeviceType(tc.ua), tc.browser, tc.bver, tc.os, tc.over, tc.typ)
		}
	}
}
