package tracker

import (
	"strconv"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/tracker/useragent"
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
	browser, bver := useragent.Browser(d.UserAgent)
	osName, osVer := useragent.OS(d.UserAgent)
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
	add("device_type", useragent.DeviceType(d.UserAgent))
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
