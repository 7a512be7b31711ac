package tracker

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// The fuzz targets here check the validation and command encoding of the
// page's calls: whatever the page passes, a call is either stored faithfully
// (a valid command carrying exactly what was given) or rejected with a named
// *InputError, and nothing panics. The oracle is encoding/json plus a small
// reading of JSON as JavaScript's JSON.parse sees it (keys as UTF-16, lone
// surrogates kept), since the page's JSON.stringify emits lone surrogates as
// \ud800 escapes.
//
// Seeds are added with f.Add and kept as files under testdata/fuzz; after
// editing applySeeds or configSeeds, rewrite the files with
//
//	go test ./internal/tracker -run TestFuzzSeedFiles -update-fuzz-seeds

var updateFuzzSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite testdata/fuzz seed files from applySeeds and configSeeds")

// fzDefaults are the default properties of the configurations the fuzzer
// opens trackers with: prototype-pollution keys, an empty key, and names the
// fuzzed properties are likely to override.
const fzDefaults = `{"app":"shop","price":1,"__proto__":{"polluted":true},"constructor":"ctor","":"empty","😀":"e\u0301"}`

// fzConfigs are chosen by mode/2 % len(fzConfigs).
var fzConfigs = []struct {
	json      string
	defaults  string // the default properties, as JSON
	customers bool   // defaults apply to identifyCustomer too
}{
	{`{"projectToken":"p"}`, `{}`, true},
	{`{"projectToken":"p","defaultProperties":` + fzDefaults + `}`, fzDefaults, true},
	{`{"projectToken":"p","defaultProperties":` + fzDefaults + `,"allowDefaultCustomerProperties":false}`, fzDefaults, false},
}

// fzMethod decodes FuzzApply's mode: bit 0 is the method, the rest picks
// the configuration.
func fzMethod(mode uint8) (method string, cfg int) {
	method = "trackEvent"
	if mode&1 != 0 {
		method = "identifyCustomer"
	}
	return method, int(mode/2) % len(fzConfigs)
}

// Modes for seeds.
const (
	evPlain  uint8 = 0 // trackEvent, no defaults
	idPlain  uint8 = 1 // identifyCustomer, no defaults
	evDef    uint8 = 2 // trackEvent with defaults
	idDef    uint8 = 3 // identifyCustomer with defaults
	idNoDefs uint8 = 5 // identifyCustomer, defaults not for customers
)

type applySeed struct {
	name   string // file name under testdata/fuzz/FuzzApply; "" for f.Add only
	mode   uint8
	args   string
	inFile bool
}

// fzNest returns n nested arrays (or objects) around inner.
func fzNest(n int, obj bool, inner string) string {
	if obj {
		return strings.Repeat(`{"a":`, n) + inner + strings.Repeat(`}`, n)
	}
	return strings.Repeat(`[`, n) + inner + strings.Repeat(`]`, n)
}

// fzValueOfSize returns a JSON string of exactly n bytes encoded, made of unit
// (itself JSON string content) padded with x.
func fzValueOfSize(n int, unit string) string {
	body := n - 2
	reps := body / len(unit)
	return `"` + strings.Repeat(unit, reps) + strings.Repeat("x", body-reps*len(unit)) + `"`
}

// applySeeds is the seed corpus of FuzzApply. Args as the page's
// JSON.stringify would pass them, and a few it never would.
func applySeeds() []applySeed {
	// The args object is depth 1, its properties 2, so a property value may
	// nest jsonx.MaxDepth-2 more levels.
	okDepth := jsonx.MaxDepth - 2
	big := strings.Repeat("y", 14000)
	var many, manyIDs []string
	for i := range 60 {
		many = append(many, `"k`+strconv.Itoa(i)+`":"`+big+`"`)
	}
	manyIDs = append(manyIDs, `"ids":{"registered":"oversize@example.com"}`)
	s := []applySeed{
		// Plain calls.
		{"event-basic", evDef, `{"name":"purchase","properties":{"price":123.45,"item":"a\"b"}}`, true},
		{"event-timestamp", evPlain, `{"name":"view","timestamp":1700000000.5}`, true},
		{"identify-basic", idDef, `{"ids":{"registered":"a@b.com"},"properties":{"payingCustomer":true}}`, true},
		{"identify-no-defaults", idNoDefs, `{"ids":{"crm":"42"},"properties":{"x":1,"app":"own"}}`, true},
		{"identify-empty", idPlain, `{}`, true},
		{"whitespace", evDef, " \t\n{ \"name\" : \"w\" , \"properties\" : { \"a\" : [ 1 , 2 ] ,\n\"b\" : { \"c\" : \"d\" } } } \r\n", true},

		// Odd Unicode.
		{"unicode-emoji", evDef, `{"name":"😀 buy","properties":{"😀":"👩‍👩‍👧‍👦","flag":"🇨🇿","skin":"👍🏽","\ud83d\ude00":"escaped pair"}}`, true},
		{"unicode-rtl", evPlain, `{"name":"שלום","properties":{"مرحبا":"עברית‮abc","rlm":"\u200f","bidi":"\u202e\u2066x\u2069"}}`, true},
		{"unicode-combining", evDef, `{"name":"e\u0301","properties":{"e\u0301":"é","é":"e\u0301","Å":"Å","zalgo":"z̸̡̢̛͓̈́a̶l̵g̷o̴"}}`, true},
		{"unicode-u2028-escaped", evPlain, `{"name":"a\u2028b","properties":{"\u2028":"\u2029","k":"line\u2028sep"}}`, true},
		{"unicode-u2028-raw", idPlain, "{\"ids\":{\"registered\":\"a\u2028b\"},\"properties\":{\"\u2028\":\"\u2029\",\"k\":\"line\u2028sep\"}}", true},
		{"unicode-controls", evPlain, `{"name":"c\u0000","properties":{"\b\f":"\u0000","\u001f":1,"a\/b":"\/","\u007f":"\uffff","\ufeff":"bom"}}`, true},
		{"unicode-noncharacters", evPlain, `{"name":"n","properties":{"\uffff":"\ufffe","\udbff\udfff":"max","\ufdd0":1}}`, true},

		// Lone surrogates, as JSON.stringify escapes them.
		{"surrogate-values", evDef, `{"name":"e","properties":{"v":"\ud800","w":"\udc00x","pair":"\ud83d\ude00","rev":"\ude00\ud83d","hi2":"\ud800\ud800","arr":["\udbff",{"\udfff":"\ud800"}]}}`, true},
		{"surrogate-key", evPlain, `{"name":"e","properties":{"\ud800":1}}`, true},
		{"surrogate-keys-distinct", evPlain, `{"name":"e","properties":{"\ud800":1,"\udbff":2,"\udc00":3,"\ufffd":4}}`, true},
		{"surrogate-key-suffix", idDef, `{"properties":{"a\ud800":1,"a\udc00":2,"a\ud800\u0041":3}}`, true},
		{"surrogate-name", evPlain, `{"name":"\ud800"}`, true},
		{"surrogate-id-value", idPlain, `{"ids":{"registered":"\ud800"},"properties":{"p":"\udfff"}}`, true},
		{"surrogate-id-key", idPlain, `{"ids":{"\ud800":"x","\udc00":"y"}}`, true},
		{"surrogate-id-key-bad-value", idPlain, `{"ids":{"\ud800":5,"\udc00":""}}`, true},
		{"surrogate-key-16k-plus1", evPlain, `{"name":"e","properties":{"\udc00":` + fzValueOfSize(wire.MaxValueBytes+1, "x") + `}}`, true},
		{"surrogate-raw-utf8", evPlain, "{\"name\":\"e\",\"properties\":{\"v\":\"\xed\xa0\x80\"}}", true},
		{"invalid-utf8", evPlain, "{\"name\":\"\xff\",\"properties\":{\"\xc3\":1}}", true},

		// Huge numbers.
		{"numbers-huge", evDef, `{"name":"n","properties":{"max":1e308,"min":-1e308,"big":123456789012345678901234567890,"tiny":5e-324,"neg0":-0,"exp":1E+308,"over":1e400,"under":1e-400,"prec":0.1000000000000000055511151231257827,"int":9007199254740993}}`, true},
		{"numbers-id", idPlain, `{"ids":{"n":"123456789012345678901234567890"},"properties":{"n":-123456789012345678901234567890e300}}`, true},
		{"timestamp-max", evPlain, `{"name":"t","timestamp":9999999999}`, true},
		{"timestamp-over", evPlain, `{"name":"t","timestamp":1e308}`, true},
		{"timestamp-inf", evPlain, `{"name":"t","timestamp":1e400}`, true},
		{"timestamp-tiny", evPlain, `{"name":"t","timestamp":5e-324}`, true},
		{"timestamp-neg0", evPlain, `{"name":"t","timestamp":-0}`, true},
		{"timestamp-string", evPlain, `{"name":"t","timestamp":"1700000000"}`, true},

		// Deep nesting, up to and beyond jsonx.MaxDepth.
		{"deep-arrays-limit", evDef, `{"name":"d","properties":{"d":` + fzNest(okDepth, false, "1") + `}}`, true},
		{"deep-objects-limit", idDef, `{"properties":{"d":` + fzNest(okDepth, true, `"\ud800"`) + `}}`, true},
		{"deep-arrays-over", evPlain, `{"name":"d","properties":{"d":` + fzNest(okDepth+1, false, "") + `}}`, true},
		{"deep-objects-over", idPlain, `{"properties":{"d":` + fzNest(okDepth+1, true, "null") + `}}`, true},
		{"deep-far-over", evPlain, `{"name":"d","properties":{"d":` + fzNest(5000, false, "") + `}}`, true},
		{"deep-args", evPlain, fzNest(jsonx.MaxDepth+1, false, ""), true},

		// Prototype pollution keys.
		{"proto-props", evDef, `{"name":"p","properties":{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":1}},"prototype":"x","hasOwnProperty":1,"toString":null,"valueOf":"v","__defineGetter__":[]}}`, true},
		{"proto-identify", idDef, `{"ids":{"__proto__":"x","constructor":"y","prototype":"z"},"properties":{"__proto__":null,"constructor":{}}}`, true},
		{"proto-args", evPlain, `{"__proto__":{"name":"x"},"constructor":{"name":"y"},"name":"__proto__"}`, true},
		{"proto-escaped", evDef, `{"name":"p","properties":{"\u005f_proto__":{"a":1},"__proto__":{"b":2}}}`, true},

		// Duplicate keys: the last one wins, as in JSON.parse.
		{"dup-props", evDef, `{"name":"d","properties":{"a":1,"a":2,"b":{"c":1,"c":2},"a":3,"price":null,"price":5}}`, true},
		{"dup-name", evPlain, `{"name":"a","name":"b"}`, true},
		{"dup-name-bad-first", evPlain, `{"name":5,"name":"ok"}`, true},
		{"dup-properties", evPlain, `{"name":"a","properties":{"x":1},"properties":{"y":2}}`, true},
		{"dup-properties-null", evPlain, `{"name":"a","properties":{"x":1},"properties":null}`, true},
		{"dup-ids", idPlain, `{"ids":{"registered":"a","registered":"b"},"ids":{"crm":"c"}}`, true},
		{"dup-escaped", evPlain, `{"name":"d","properties":{"k":1,"\u006b":2}}`, true},

		// Empty keys.
		{"empty-key", evDef, `{"name":"e","properties":{"":1,"":"last"}}`, true},
		{"empty-key-args", evPlain, `{"":"x","name":"e"}`, true},
		{"empty-id-key", idPlain, `{"ids":{"":"x"}}`, true},
		{"empty-id-value", idPlain, `{"ids":{"registered":""}}`, true},
		{"cookie-id-escaped", idPlain, `{"ids":{"c\u006fokie":"x"}}`, true},
		{"cookie-property", evPlain, `{"name":"e","properties":{"cookie":"mine"}}`, true},

		// The 16 KB value limit: exactly 16384 bytes encoded, and one more.
		{"value-16k", evPlain, `{"name":"v","properties":{"s":` + fzValueOfSize(wire.MaxValueBytes, "x") + `}}`, true},
		{"value-16k-plus1", evPlain, `{"name":"v","properties":{"s":` + fzValueOfSize(wire.MaxValueBytes+1, "x") + `}}`, true},
		{"value-16k-escapes", idPlain, `{"properties":{"s":` + fzValueOfSize(wire.MaxValueBytes, `\ud800`) + `}}`, true},
		{"value-16k-escapes-plus1", idPlain, `{"properties":{"s":` + fzValueOfSize(wire.MaxValueBytes+1, `\ud800`) + `}}`, true},
		{"value-16k-array", evPlain, `{"name":"v","properties":{"a":[` + strings.Repeat(`1,`, wire.MaxValueBytes/2-1) + `]}}`, true},
		{"value-16k-dup-overwritten", evPlain, `{"name":"v","properties":{"s":` + fzValueOfSize(wire.MaxValueBytes+1, "x") + `,"s":1}}`, true},
		{"id-16k-plus1", idPlain, `{"ids":{"r":` + fzValueOfSize(wire.MaxValueBytes+1, "x") + `}}`, true},

		// Not objects, nulls, other types.
		{"props-array", evPlain, `{"name":"e","properties":[1]}`, true},
		{"props-string", idPlain, `{"properties":"x"}`, true},
		{"props-number", evPlain, `{"name":"e","properties":1}`, true},
		{"props-empty", evDef, `{"name":"e","properties":{}}`, true},
		{"args-null", evPlain, `null`, true},
		{"args-null-identify", idPlain, `null`, true},
		{"args-array", evPlain, `[{"name":"e"}]`, true},
		{"args-string", evPlain, `"purchase"`, true},
		{"args-empty", idPlain, ``, true},
		{"args-truncated", evPlain, `{"name":"e","properties":{"a":`, true},
		{"args-trailing", evPlain, `{"name":"e"} {}`, true},
		{"nulls-event", evDef, `{"name":"e","properties":null,"timestamp":null,"extra":null}`, true},
		{"nulls-values", evDef, `{"name":"e","properties":{"n":null,"app":null,"":null}}`, true},
		{"nulls-identify", idDef, `{"ids":null,"properties":null}`, true},
		{"null-name", evPlain, `{"name":null}`, true},
		{"null-id", idPlain, `{"ids":{"registered":null}}`, true},
		{"ids-array", idPlain, `{"ids":["a"]}`, true},

		// Over the 800 KB command limit; too big for a seed file.
		{"", evDef, `{"name":"a","properties":{` + strings.Join(many, ",") + `}}`, false},
		{"", idDef, `{` + manyIDs[0] + `,"properties":{` + strings.Join(many, ",") + `}}`, false},
	}
	return s
}

// configSeeds is the seed corpus of FuzzParseConfig.
var configSeeds = []struct{ name, cfg string }{
	{"minimal", `{"projectToken":"p"}`},
	{"full", `{"projectToken":"abc","authorization":"Token k","baseUrl":"http://127.0.0.1:8080/","dbName":"db","flushMode":"period","flushPeriod":1000,"flushMaxRetries":3,"sessionTimeout":30,"automaticSessionTracking":false,"allowDefaultCustomerProperties":false,"manualSessionAutoClose":false,"defaultProperties":{"a":1}}`},
	{"nulls", `{"projectToken":"p","baseUrl":null,"flushMode":null,"defaultProperties":null,"flushMaxRetries":null}`},
	{"token-surrogate", `{"projectToken":"\ud800"}`},
	{"token-slash", `{"projectToken":"a/b"}`},
	{"token-empty", `{"projectToken":""}`},
	{"base-slashes", `{"projectToken":"p","baseUrl":"https:///"}`},
	{"base-ftp", `{"projectToken":"p","baseUrl":"ftp://x"}`},
	{"flush-unknown", `{"projectToken":"p","flushMode":"sometimes"}`},
	{"flush-modes", `{"projectToken":"p","flushMode":"manual","flushMode":"appClose"}`},
	{"retries-frac", `{"projectToken":"p","flushMaxRetries":1.5}`},
	{"retries-huge", `{"projectToken":"p","flushMaxRetries":1e400}`},
	{"period-zero", `{"projectToken":"p","flushPeriod":0}`},
	{"timeout-neg0", `{"projectToken":"p","sessionTimeout":-0}`},
	{"defaults-proto", `{"projectToken":"p","defaultProperties":{"__proto__":{"a":1},"constructor":null,"":"","\ud800":"\udc00"}}`},
	{"defaults-array", `{"projectToken":"p","defaultProperties":[1]}`},
	{"defaults-deep", `{"projectToken":"p","defaultProperties":{"d":` + fzNest(jsonx.MaxDepth-2, false, "") + `}}`},
	{"defaults-too-deep", `{"projectToken":"p","defaultProperties":{"d":` + fzNest(jsonx.MaxDepth-1, false, "") + `}}`},
	{"bool-string", `{"projectToken":"p","automaticSessionTracking":"yes"}`},
	{"not-object", `[]`},
	{"empty", ``},
}

func FuzzApply(f *testing.F) {
	for _, s := range applySeeds() {
		f.Add(s.mode, []byte(s.args))
	}
	f.Fuzz(func(t *testing.T, mode uint8, args []byte) {
		checkApply(t, mode, args)
	})
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range configSeeds {
		f.Add([]byte(s.cfg))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ParseConfig(raw)
		if err != nil {
			fzCheckInputError(t, err, "configure")
			return
		}
		if c.ProjectToken == "" || strings.ContainsAny(c.ProjectToken, "/?#%") {
			t.Fatalf("accepted project token %q", c.ProjectToken)
		}
		if !c.FlushMode.Valid() {
			t.Fatalf("accepted flush mode %q", c.FlushMode)
		}
		if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") || strings.HasSuffix(c.BaseURL, "/") {
			t.Fatalf("accepted base URL %q", c.BaseURL)
		}
		if c.DBName == "" || c.Session.Timeout < 0 || c.FlushPeriod < time.Millisecond || c.FlushMaxRetries < 1 || c.FlushMaxRetries > MaxFlushRetries {
			t.Fatalf("accepted %+v", c)
		}
		if d := c.DefaultProperties.AppendJSON(nil); !json.Valid(d) || !utf8.Valid(d) {
			t.Fatalf("default properties are not valid JSON: %q", d)
		}
	})
}

// fzCheckInputError checks err is a named *InputError of method.
func fzCheckInputError(t *testing.T, err error, method string) *InputError {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("got %T %v, want an *InputError", err, err)
	}
	if ie.Method != method || ie.Field == "" || ie.Msg == "" || (ie.Class != TypeError && ie.Class != RangeError) {
		t.Fatalf("badly named error: %#v", ie)
	}
	if !utf8.ValidString(ie.Field) || !utf8.ValidString(ie.Msg) {
		t.Fatalf("error text is not valid UTF-8 (the page could not read the field): %#v", ie)
	}
	return ie
}

// checkApply applies one call to a fresh tracker and checks the outcome.
func checkApply(t *testing.T, mode uint8, args []byte) {
	t.Helper()
	method, ci := fzMethod(mode)
	cfg := fzConfigs[ci]
	ctx := ctxlite.Background()
	store := queue.NewMemory()
	tr, _ := open(t, store, cfg.json)
	stateBefore, _, _ := store.GetState(ctx, StateCustomer)
	n0, _, _ := store.Count(ctx)

	in := append([]byte(nil), args...)
	res, stored := tr.Apply(ctx, []Call{{Method: method, Args: in, TimeMs: now}})
	if !bytes.Equal(in, args) {
		t.Fatalf("Apply modified its input")
	}
	if len(res) != 1 {
		t.Fatalf("got %d results for one call", len(res))
	}
	want := expectOutcome(method, args, cfg.defaults)
	n1, _, _ := store.Count(ctx)
	if err := res[0].Err; err != nil {
		ie := fzCheckInputError(t, err, method)
		if len(stored) != 0 || n1 != n0 {
			t.Fatalf("rejected with %v, yet stored %d records (%d in the store)", err, len(stored), n1-n0)
		}
		if want == fzMustAccept {
			t.Fatalf("valid call %s(%q) rejected: %v", method, args, ie)
		}
		if st, _, _ := store.GetState(ctx, StateCustomer); st != stateBefore {
			t.Fatalf("rejected with %v, yet the stored identity changed:\n was %s\n now %s", err, stateBefore, st)
		}
		checkFollowUp(t, tr, store, nil)
		return
	}
	if want == fzMustReject {
		t.Fatalf("invalid call %s(%q) accepted", method, args)
	}
	if len(stored) != 1 || n1 != n0+1 {
		t.Fatalf("accepted, but stored %d records (%d in the store), want 1", len(stored), n1-n0)
	}
	var ids map[string]any // the ids the call adds, for the follow-up check
	if method == "identifyCustomer" {
		ids = fzJSObject(t, fzMember(args, "ids"))
	}
	checkRecord(t, tr, stored[0], method, args, cfg.defaults, cfg.customers)
	checkFollowUp(t, tr, store, ids)
}

// checkRecord checks one stored record against the call it was made from.
// Objects are compared as JavaScript sees them (fzJSObject): keys as UTF-16
// strings, lone surrogates kept, the last of duplicate keys winning; values
// decoded with encoding/json.
func checkRecord(t *testing.T, tr *Tracker, rec queue.Record, method string, args []byte, defaults string, customers bool) {
	t.Helper()
	body := []byte(rec.Body)
	if !json.Valid(body) || !utf8.Valid(body) {
		t.Fatalf("body is not valid JSON: %q", body)
	}
	if len(body) > wire.MaxCommandBytes {
		t.Fatalf("body is %d bytes, over wire.MaxCommandBytes", len(body))
	}
	cmd := fzUniqueMembers(t, "command", body)
	if keys := slices.Sorted(maps.Keys(cmd)); !slices.Equal(keys, []string{"command_id", "data", "name"}) {
		t.Fatalf("command has members %q, want name, command_id, data", keys)
	}
	wantName, wantKind := wire.CommandEvent, queue.KindEvent
	if method == "identifyCustomer" {
		wantName, wantKind = wire.CommandCustomer, queue.KindCustomer
	}
	if s := fzDecodeString(t, cmd["name"]); s != wantName || rec.Kind != wantKind {
		t.Fatalf("command name %q kind %q, want %q %q", s, rec.Kind, wantName, wantKind)
	}
	if id := fzDecodeString(t, cmd["command_id"]); id == "" || id != rec.ID {
		t.Fatalf("command_id %q, record ID %q", id, rec.ID)
	}
	if rec.CreatedMs != int64(now) {
		t.Fatalf("created %d, want %d", rec.CreatedMs, int64(now))
	}
	data := fzUniqueMembers(t, "data", cmd["data"])
	fzUniqueMembers(t, "customer_ids", data["customer_ids"])
	cids := fzJSObject(t, data["customer_ids"])
	if cids[`"cookie"`] != tr.Cookie() || tr.Cookie() == "" {
		t.Fatalf("customer_ids.cookie %v, want %q", cids[`"cookie"`], tr.Cookie())
	}
	delete(cids, `"cookie"`)
	wantIDs := map[string]any{}
	if method == "identifyCustomer" {
		wantIDs = fzJSObject(t, fzMember(args, "ids"))
	}
	if !reflect.DeepEqual(cids, wantIDs) {
		t.Fatalf("customer_ids besides the cookie: got %v, want %v", cids, wantIDs)
	}

	if method == "trackEvent" {
		if keys := slices.Sorted(maps.Keys(data)); !slices.Equal(keys, []string{"customer_ids", "event_type", "properties", "timestamp"}) {
			t.Fatalf("event data has members %q", keys)
		}
		fzDecodeString(t, data["event_type"])
		if got, want := jsKey(data["event_type"]), jsKey(fzMember(args, "name")); got != want || got == `""` {
			t.Fatalf("event_type %s, want %s", got, want)
		}
		wantTS := now / 1000
		if raw := fzMember(args, "timestamp"); raw != nil && string(raw) != "null" {
			if err := json.Unmarshal(raw, &wantTS); err != nil {
				t.Fatalf("accepted timestamp %s: %v", raw, err)
			}
		}
		var ts float64
		if err := json.Unmarshal(data["timestamp"], &ts); err != nil || ts != wantTS || ts <= 0 {
			t.Fatalf("timestamp %s (%v), want %v", data["timestamp"], err, wantTS)
		}
	} else if keys := slices.Sorted(maps.Keys(data)); !slices.Equal(keys, []string{"customer_ids", "properties"}) {
		t.Fatalf("customer data has members %q", keys)
	}

	// The properties: the input's (the last of duplicates winning) merged
	// over the defaults, each name once.
	props := data["properties"]
	fzUniqueMembers(t, "properties", props)
	wantDefaults := "{}"
	if method == "trackEvent" || customers {
		wantDefaults = defaults
	}
	want := fzJSObject(t, []byte(wantDefaults))
	for k, v := range fzJSObject(t, fzMember(args, "properties")) {
		want[k] = v
	}
	if got := fzJSObject(t, props); !reflect.DeepEqual(got, want) {
		t.Fatalf("properties:\n got %s\nwant %v", props, want)
	}

	// Faithfulness, byte for byte: every key of the input properties
	// (__proto__, "", lone surrogates, ...) is stored under the same name,
	// with its value verbatim.
	inProps := fzMember(args, "properties")
	if inProps == nil || inProps[0] != '{' {
		return
	}
	in, err := jsMembers(inProps)
	if err != nil {
		t.Fatalf("accepted properties %q that encoding/json cannot read: %v", inProps, err)
	}
	out, _ := jsMembers(props)
	stored := map[string][]byte{}
	for _, m := range out {
		stored[m.key] = m.raw
	}
	last := map[string][]byte{}
	for _, m := range in {
		last[m.key] = m.raw
	}
	for k, raw := range last {
		if v, ok := stored[k]; !ok {
			t.Fatalf("input property %s is missing from the stored properties %s", k, props)
		} else if !bytes.Equal(v, raw) {
			t.Fatalf("input property %s = %s stored as %s", k, raw, v)
		}
	}
}

// checkFollowUp checks the tracker still works after the call: an event
// tracked next carries the cookie and the ids stored so far (ids: what the
// fuzzed call added, as fzJSObject reads them), and a second tab opening the
// same store sees the same identity and tracks no second installation.
func checkFollowUp(t *testing.T, tr *Tracker, store *queue.Memory, ids map[string]any) {
	t.Helper()
	ctx := ctxlite.Background()
	res, stored := tr.Apply(ctx, []Call{{Method: "trackEvent", Args: []byte(`{"name":"after"}`), TimeMs: now}})
	if res[0].Err != nil || len(stored) != 1 {
		t.Fatalf("follow-up event: %v, %d stored", res[0].Err, len(stored))
	}
	var body struct {
		Data struct {
			CustomerIDs json.RawMessage `json:"customer_ids"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(stored[0].Body), &body); err != nil {
		t.Fatalf("follow-up body %s: %v", stored[0].Body, err)
	}
	want := map[string]any{`"cookie"`: tr.Cookie()}
	for k, v := range ids {
		want[k] = v
	}
	if got := fzJSObject(t, body.Data.CustomerIDs); !reflect.DeepEqual(got, want) {
		t.Fatalf("follow-up customer_ids: got %s, want %v", body.Data.CustomerIDs, want)
	}
	tr2, recs := open(t, store, `{"projectToken":"p"}`)
	if tr2.Cookie() != tr.Cookie() || len(recs) != 0 {
		t.Fatalf("second tab: cookie %q (want %q), %d new records", tr2.Cookie(), tr.Cookie(), len(recs))
	}
	tr.mu.Lock()
	a := string(tr.id.CustomerIDs().AppendJSON(nil))
	tr.mu.Unlock()
	if b := string(tr2.id.CustomerIDs().AppendJSON(nil)); a != b {
		t.Fatalf("second tab ids %s, first tab %s", b, a)
	}
}

type fzOutcome int

const (
	fzUnsure fzOutcome = iota
	fzMustAccept
	fzMustReject
)

// expectOutcome says whether a call must be accepted or rejected, reading
// its argument with encoding/json; unsure where the rules are the
// implementation's choice (duplicate top-level members, invalid UTF-8,
// nesting beyond jsonx.MaxDepth, commands near the size limit).
func expectOutcome(method string, args []byte, defaults string) fzOutcome {
	if !json.Valid(args) {
		return fzMustReject
	}
	switch d := fzNesting(args); {
	case !utf8.Valid(args) || 3*len(args)+3*len(defaults)+1024 > wire.MaxCommandBytes:
		return fzUnsure
	case d > jsonx.MaxDepth+1:
		return fzMustReject // refused by jsonx
	case d > jsonx.MaxDepth:
		return fzUnsure // the argument's own level may or may not count
	}
	top, err := jsMembers(args)
	if err != nil {
		return fzMustReject // not an object
	}
	seen := map[string]bool{}
	for _, m := range top {
		if seen[m.key] {
			return fzUnsure
		}
		seen[m.key] = true
	}
	get := func(k string) []byte {
		for _, m := range top {
			if m.key == jsKey([]byte(strconv.Quote(k))) {
				return m.raw
			}
		}
		return nil
	}
	bad := false
	if p := get("properties"); p != nil && string(p) != "null" {
		ms, err := jsMembers(p)
		if err != nil {
			return fzMustReject
		}
		for _, m := range ms {
			bad = bad || len(m.raw) > wire.MaxValueBytes
		}
	}
	if method == "trackEvent" {
		var name string
		if json.Unmarshal(get("name"), &name) != nil || name == "" {
			return fzMustReject
		}
		if ts := get("timestamp"); ts != nil && string(ts) != "null" {
			var f float64
			if ts[0] == '"' || ts[0] == '{' || ts[0] == '[' || ts[0] == 't' || ts[0] == 'f' || json.Unmarshal(ts, &f) != nil || f <= 0 || f > wire.MaxTimestamp {
				return fzMustReject
			}
		}
	} else if ids := get("ids"); ids != nil && string(ids) != "null" {
		ms, err := jsMembers(ids)
		if err != nil {
			return fzMustReject
		}
		for _, m := range ms {
			bad = bad || len(m.raw) > wire.MaxValueBytes
		}
		last := map[string][]byte{}
		for _, m := range ms {
			last[m.key] = m.raw
		}
		for k, v := range last {
			var s string
			if k == `""` || k == `"cookie"` || json.Unmarshal(v, &s) != nil || s == "" {
				return fzMustReject
			}
		}
	}
	if bad {
		return fzMustReject
	}
	return fzMustAccept
}

// jsMember is a member of a JSON object as JSON.parse sees it: the key as a
// JavaScript string (see jsKey) and the raw value.
type jsMember struct {
	key string
	raw []byte
}

// jsMembers reads the members of a JSON object with encoding/json, keeping
// each key's literal so lone surrogates are not lost.
func jsMembers(data []byte) ([]jsMember, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not an object (%v)", err)
	}
	var out []jsMember
	for dec.More() {
		start := dec.InputOffset()
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		lit := data[start:dec.InputOffset()]
		lit = lit[bytes.IndexByte(lit, '"'):]
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		out = append(out, jsMember{key: jsKey(lit), raw: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}

// jsKey returns the JavaScript string a JSON string literal stands for, as
// UTF-16 code units, written canonically: printable ASCII as is, every other
// code unit as a \uXXXX escape. Two literals name the same JavaScript
// property exactly when their jsKeys are equal.
func jsKey(lit []byte) string {
	s := lit[1 : len(lit)-1]
	var units []uint16
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\' && s[i+1] == 'u':
			u, _ := strconv.ParseUint(string(s[i+2:i+6]), 16, 16)
			units = append(units, uint16(u))
			i += 6
		case c == '\\':
			units = append(units, uint16(map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}[s[i+1]]))
			i += 2
		default:
			r, n := utf8.DecodeRune(s[i:])
			for _, u := range utf16.Encode([]rune{r}) {
				units = append(units, u)
			}
			i += n
		}
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, u := range units {
		if u >= 0x20 && u < 0x7f && u != '"' && u != '\\' {
			b.WriteByte(byte(u))
		} else {
			fmt.Fprintf(&b, `\u%04x`, u)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// fzMember returns the raw value of the last top-level member named key of the
// JSON object args (as JSON.parse keeps it), or nil.
func fzMember(args []byte, key string) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(args, &m) != nil {
		return nil
	}
	return m[key]
}

// fzUniqueMembers reads a JSON object whose member names must be unique
// (as JavaScript strings), keyed by the names decoded with encoding/json.
func fzUniqueMembers(t *testing.T, what string, data []byte) map[string]json.RawMessage {
	t.Helper()
	ms, err := jsMembers(data)
	if err != nil {
		t.Fatalf("%s %q is not an object: %v", what, data, err)
	}
	seen := map[string]bool{}
	out := make(map[string]json.RawMessage, len(ms))
	for _, m := range ms {
		if seen[m.key] {
			t.Fatalf("%s has member %s twice: %s", what, m.key, data)
		}
		seen[m.key] = true
		var k string
		if err := json.Unmarshal([]byte(m.key), &k); err != nil {
			t.Fatal(err)
		}
		out[k] = m.raw
	}
	return out
}

// fzJSObject reads a JSON object (null or absent: empty) as JSON.parse
// would: keys as jsKeys, the last of duplicates winning, values decoded with
// encoding/json (numbers kept as written).
func fzJSObject(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	out := map[string]any{}
	if raw == nil || string(raw) == "null" {
		return out
	}
	ms, err := jsMembers(raw)
	if err != nil {
		t.Fatalf("reading %q: %v", raw, err)
	}
	for _, m := range ms {
		dec := json.NewDecoder(bytes.NewReader(m.raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("decoding %q: %v", m.raw, err)
		}
		out[m.key] = v
	}
	return out
}

func fzDecodeString(t *testing.T, raw []byte) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("decoding %q as a string: %v", raw, err)
	}
	return s
}

// fzNesting returns the deepest nesting of arrays and objects in data.
func fzNesting(data []byte) int {
	depth, most := 0, 0
	inStr, esc := false, false
	for _, c := range data {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && (c == '[' || c == '{'):
			depth++
			most = max(most, depth)
		case !inStr && (c == ']' || c == '}'):
			depth--
		}
	}
	return most
}

// TestFuzzSeedFiles keeps testdata/fuzz in step with applySeeds and
// configSeeds (run with -update-fuzz-seeds to rewrite the files).
func TestFuzzSeedFiles(t *testing.T) {
	want := map[string][]byte{}
	for _, s := range applySeeds() {
		if s.inFile {
			want[filepath.Join("FuzzApply", s.name)] = fmt.Appendf(nil, "go test fuzz v1\nbyte(%q)\n[]byte(%q)\n", s.mode, s.args)
		}
	}
	for _, s := range configSeeds {
		want[filepath.Join("FuzzParseConfig", s.name)] = fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", s.cfg)
	}
	dir := filepath.Join("testdata", "fuzz")
	for name, content := range want {
		path := filepath.Join(dir, name)
		if *updateFuzzSeeds {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("seed file %s is missing or stale (%v); run go test -run TestFuzzSeedFiles -update-fuzz-seeds", path, err)
		}
	}
}
