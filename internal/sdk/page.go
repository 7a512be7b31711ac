package sdk

import (
	"time"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/sdk/closepath"
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
	// HostSends: the page sends nothing at close; the Go side outlives it
	// (a SharedWorker with an extended lifetime) and sends, when the page
	// is hidden, what the close path would have sent.
	HostSends bool
}

// ParsePageState reads the loader's page report:
// {"url","referrer","visible","online","screenWidth","screenHeight","hostSends"}.
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
		case "hostSends":
			p.HostSends, _ = jsonx.Bool(m.Value)
		}
	}
	return p
}

// ConfigureArgs is configure's argument, {"config":{...},"page":{...},
// "debug":true,"kept":[ids],"inFlight":[ids]}: the configuration, the
// page, whether the loader's debug switch is on (localStorage, for a page
// whose configuration says nothing of debugging), and the close path's
// records on a page starting its SDK again.
type ConfigureArgs struct {
	Config []byte
	Page   PageState
	Debug  bool
	// Kept and InFlight: a page back from the back/forward cache, whose
	// SDK was closed when it was hidden, starts a new one with its close
	// path's copy of the records (their ids) and those of them its
	// keepalive requests still carry (see app.takeOver).
	Kept, InFlight []string
}

// ParseConfigureArgs reads configure's argument. A configuration may nest
// as deep as a call's argument (jsonx.MaxDepth+1), and sits one level
// down.
func ParseConfigureArgs(raw []byte) ConfigureArgs {
	ms, err := jsonx.ObjectNames(raw, jsonx.MaxDepth+2, nil)
	if err != nil {
		return ConfigureArgs{Config: raw}
	}
	var a ConfigureArgs
	for _, m := range ms {
		switch m.Key {
		case "config":
			a.Config = m.Value
		case "page":
			a.Page = ParsePageState(m.Value)
		case "debug":
			a.Debug, _ = jsonx.Bool(m.Value)
		case "kept":
			a.Kept, _ = closepath.ParseIDs(m.Value)
		case "inFlight":
			a.InFlight, _ = closepath.ParseIDs(m.Value)
		}
	}
	return a
}

// unixMs is t in Unix milliseconds, the unit of the session rules and of a
// call's time.
func unixMs(t time.Time) float64 { return float64(t.UnixMicro()) / 1000 }
