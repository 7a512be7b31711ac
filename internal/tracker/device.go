package tracker

import (
	"strconv"
	"strings"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// SDK identifies this SDK in device properties. SDKVersion is the version
// of package.json, the one version of the project (version_test.go keeps
// them in step).
const (
	SDKName    = "exponea-wasm"
	SDKVersion = "0.2.0"
)

// Device is what the page reports about the browser it runs in.
type Device struct {
	UserAgent    string
	Language     string
	ScreenWidth  int
	ScreenHeight int
}

// Properties returns the device properties sent with installation and session
// events: browser, OS, device type, SDK, language, screen.
func (d Device) Properties() wire.Props {
	browser, bver := parseBrowser(d.UserAgent)
	osName, osVer := parseOS(d.UserAgent)
	var p wire.Props
	add := func(k, v string) {
		if v != "" {
			p = append(p, jsonx.Member{Key: k, Value: jsonx.AppendString(nil, v)})
		}
	}
	add("browser", browser)
	add("browser_version", bver)
	add("os_name", osName)
	add("os_version", osVer)
	add("device_type", deviceType(d.UserAgent))
	add("sdk", SDKName)
	add("sdk_version", SDKVersion)
	add("language", d.Language)
	if d.ScreenWidth > 0 && d.ScreenHeight > 0 {
		add("screen", strconv.Itoa(d.ScreenWidth)+"x"+strconv.Itoa(d.ScreenHeight))
		p = append(p, jsonx.Member{Key: "screen_width", Value: strconv.AppendInt(nil, int64(d.ScreenWidth), 10)})
		p = append(p, jsonx.Member{Key: "screen_height", Value: strconv.AppendInt(nil, int64(d.ScreenHeight), 10)})
	}
	return p
}

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

// parseBrowser recognises the common engines; order matters because most
// user agents also name the browsers they descend from.
func parseBrowser(ua string) (string, string) {
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

func parseOS(ua string) (string, string) {
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

func deviceType(ua string) string {
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
