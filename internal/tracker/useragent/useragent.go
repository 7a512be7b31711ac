// Package useragent reads a browser's User-Agent string: the browser, the
// operating system and the kind of device, for the device properties the
// tracker sends (internal/tracker's Device). Pure Go, no syscall/js.
package useragent

import "strings"

// versionAfter returns the version that follows token in ua ("Chrome/" →
// "124.0.6367.60"), or "".
func versionAfter(ua, token string) (string, bool) {
	i := strings.Index(ua, token)
	if i < 0 {
		return "", false
	}
	v := ua[i+len(token):]
	end := strings.IndexFunc(v, func(r rune) bool { return !(r == '.' || r == '_' || (r >= '0' && r <= '9')) })
	if end >= 0 {
		v = v[:end]
	}
	return strings.ReplaceAll(v, "_", "."), true
}

// Browser returns the browser's name and version ("Chrome",
// "124.0.6367.82"), or two empty strings. It recognises the common engines; order matters because most
// user agents also name the browsers they descend from.
func Browser(ua string) (string, string) {
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"}, {"OPR/", "Opera"},
		{"SamsungBrowser/", "Samsung Internet"}, {"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
		{"HeadlessChrome/", "Chrome Headless"}, {"CriOS/", "Chrome"}, {"Chrome/", "Chrome"},
	} {
		if v, ok := versionAfter(ua, b.token); ok {
			return b.name, v
		}
	}
	if strings.Contains(ua, "Safari/") {
		v, _ := versionAfter(ua, "Version/")
		return "Safari", v
	}
	return "", ""
}

// OS returns the operating system's name and, when the user agent tells,
// its version ("macOS", "10.15.7"), or two empty strings.
func OS(ua string) (string, string) {
	switch {
	case strings.Contains(ua, "Windows NT"):
		v, _ := versionAfter(ua, "Windows NT ")
		return "Windows", v
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPad") || strings.Contains(ua, "iPod"):
		if v, ok := versionAfter(ua, "OS "); ok {
			return "iOS", v
		}
		return "iOS", ""
	case strings.Contains(ua, "Android"):
		v, _ := versionAfter(ua, "Android ")
		return "Android", v
	case strings.Contains(ua, "CrOS"):
		return "ChromeOS", ""
	case strings.Contains(ua, "Mac OS X"):
		v, _ := versionAfter(ua, "Mac OS X ")
		return "macOS", v
	case strings.Contains(ua, "Linux"):
		return "Linux", ""
	}
	return "", ""
}

// DeviceType returns "mobile", "tablet" or "desktop" ("" for an empty
// user agent).
func DeviceType(ua string) string {
	switch {
	case ua == "":
		return ""
	case strings.Contains(ua, "iPad") || strings.Contains(ua, "Tablet") ||
		(strings.Contains(ua, "Android") && !strings.Contains(ua, "Mobile")):
		return "tablet"
	case strings.Contains(ua, "Mobi") || strings.Contains(ua, "iPhone"):
		return "mobile"
	}
	return "desktop"
}
