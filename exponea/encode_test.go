package exponea

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestPropertiesEncodeAsJSON(t *testing.T) {
	got, err := appendValue(nil, Properties{"price": 123.45, "n": 3, "ok": true, "none": nil, "s": "a\"b\n",
		"list": []any{1, "x", map[string]any{"z": false}}, "ids": map[string]string{"b": "2", "a": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ids":{"a":"1","b":"2"},"list":[1,"x",{"z":false}],"n":3,"none":null,"ok":true,"price":123.45,"s":"a\"b\n"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !json.Valid(got) {
		t.Error("not valid JSON")
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), struct{}{}, []string{"x"}} {
		if _, err := appendValue(nil, Properties{"v": bad}); err == nil {
			t.Errorf("%v encoded", bad)
		}
	}
}

func TestConfigEncodesTheSDKsConfiguration(t *testing.T) {
	got, err := Config{ProjectToken: "p", Authorization: "Token k", FlushMode: "period", FlushPeriod: 90 * time.Second,
		SessionTimeout: 30 * time.Second, ManualSessions: true, DefaultProperties: Properties{"app": "go"}}.appendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"projectToken":"p","authorization":"Token k","flushMode":"period","flushPeriod":90000,"sessionTimeout":30,` +
		`"allowDefaultCustomerProperties":true,"automaticSessionTracking":false,"debug":false,"defaultProperties":{"app":"go"}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
