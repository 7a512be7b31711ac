package sdk

import (
	"time"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

// PageState is what the loader reports about the page: the SDK may run in
// a Worker, where there is no document, location or screen, so the loader,
// on the page, sends them with configure and whenever the page's
// visibility or network state changes.
type PageState struct {
	tracker.Page
	Visible      bool
	Online       bool
	ScreenWidth  int
	ScreenHeight int
}

// ParsePageState reads the loader's page report:
// {"url","referrer","visible","online","screenWidth","screenHeight"}.
// Members that are missing or of another type keep their zero value (online:
// true): the report comes from our own loader, and a page without a screen
// is still a page.
func ParsePageState(raw []byte) PageState {
	p := PageState{Online: true}
	ms, err := jsonx.Object(raw)
	if err != nil {
		return p
	}
	for _, m := range ms {
		switch m.Key {
		case "url":
			p.URL, _ = jsonx.String(m.Value)
		case "referrer":
			p.Referrer, _ = jsonx.String(m.Value)
		case "visible":
			p.Visible, _ = jsonx.Bool(m.Value)
		case "online":
			if b, err := jsonx.Bool(m.Value); err == nil {
				p.Online = b
			}
		case "screenWidth":
			f, _ := jsonx.Number(m.Value)
			p.ScreenWidth = int(f)
		case "screenHeight":
			f, _ := jsonx.Number(m.Value)
			p.ScreenHeight = int(f)
		}
	}
	return p
}

// SplitConfigure reads configure's argument, {"config":{...},"page":{...}}.
func SplitConfigure(raw []byte) (config []byte, page PageState) {
	ms, err := jsonx.Object(raw)
	if err != nil {
		return raw, page
	}
	for _, m := range ms {
		switch m.Key {
		case "config":
			config = m.Value
		case "page":
			page = ParsePageState(m.Value)
		}
	}
	return config, page
}

// unixMs is t in Unix milliseconds, the unit of the session rules and of a
// call's time.
func unixMs(t time.Time) float64 { return float64(t.UnixMicro()) / 1000 }
