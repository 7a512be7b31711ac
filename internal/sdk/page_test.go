package sdk

import (
	"testing"

	"github.com/exponea-wasm/tracker/internal/tracker"
)

func TestParseConfigureArgs(t *testing.T) {
	a := ParseConfigureArgs([]byte(`{"config":{"projectToken":"p"},"page":{"url":"https://a.example/?utm_source=x","referrer":"https://r.example/","visible":true,"online":false,"screenWidth":1280,"screenHeight":720},"debug":true}`))
	cfg, p := a.Config, a.Page
	if !a.Debug {
		t.Error("debug: got false")
	}
	if string(cfg) != `{"projectToken":"p"}` {
		t.Errorf("config: got %s", cfg)
	}
	want := PageState{Page: tracker.Page{URL: "https://a.example/?utm_source=x", Referrer: "https://r.example/"}, Visible: true, ScreenWidth: 1280, ScreenHeight: 720}
	if p != want {
		t.Errorf("page: got %+v, want %+v", p, want)
	}
	if got := ParsePageState([]byte(`{"visible":"yes","screenWidth":"wide"}`)); got != (PageState{Online: true}) {
		t.Errorf("wrong types must leave zero values: %+v", got)
	}
	if a := ParseConfigureArgs([]byte(`[]`)); string(a.Config) != `[]` {
		t.Errorf("a non-object goes to ParseConfig as is, to be refused there: %s", a.Config)
	}
}
