package tracker

import (
	"math"
	"strings"
	"time"

	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/flush/schedule"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/session"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// Config is the validated configuration passed to Exponea.configure.
type Config struct {
	ProjectToken  string
	Authorization string // full header value, e.g. "Token public-key"
	BaseURL       string // no trailing slash
	// DefaultProperties are merged under every event's properties.
	DefaultProperties wire.Props
	// AllowDefaultCustomerProperties applies DefaultProperties to
	// identifyCustomer's properties too.
	AllowDefaultCustomerProperties bool
	// Session is automaticSessionTracking, sessionTimeout and
	// manualSessionAutoClose.
	Session         session.Config
	FlushMode       schedule.Mode
	FlushPeriod     time.Duration
	FlushMaxRetries int
	// DBName names the IndexedDB database; one per project token by default.
	DBName string
	// MaxQueueRecords and MaxQueueBytes bound the queue; see limits.go.
	MaxQueueRecords int
	MaxQueueBytes   int64
	// Consent is whether the visitor lets the site track them:
	// ConsentGranted (the default), ConsentPending or ConsentDenied.
	Consent string
	// Debug logs what the SDK does to the console.
	Debug bool
}

// The consent states (the configuration's consent).
const (
	ConsentGranted = "granted"
	ConsentPending = "pending"
	ConsentDenied  = "denied"
)

// Consents lists the consent states, the default first.
var Consents = [...]string{ConsentGranted, ConsentPending, ConsentDenied}

// Queue bounds by default: far above what a page tracks between two
// flushes, low enough that a visitor offline for days does not fill the
// disk.
const (
	DefaultMaxQueueRecords = 10_000
	DefaultMaxQueueBytes   = 10 << 20
)

// DefaultBaseURL is the Bloomreach Engagement API.
const DefaultBaseURL = "https://api.exponea.com"

// The bounds a configuration may set: flushMaxRetries from 1 (a command is
// dropped at its first rejection), maxQueueRecords, maxQueueBytes.
const (
	MaxFlushRetries    = 1000
	MaxMaxQueueRecords = 10_000_000
	MinMaxQueueBytes   = 1024
	MaxMaxQueueBytes   = 1 << 40
)

// ParseConfig validates the configure() argument, given as JSON. Times are
// given in the units of the JavaScript API: flushPeriod in milliseconds,
// sessionTimeout in seconds.
func ParseConfig(raw []byte) (Config, error) {
	const m = "configure"
	c := Config{
		BaseURL: DefaultBaseURL, AllowDefaultCustomerProperties: true,
		Session:   session.Config{Timeout: session.DefaultTimeout, Automatic: true, ManualAutoClose: true},
		FlushMode: schedule.Modes[0], FlushPeriod: schedule.DefaultPeriod, FlushMaxRetries: flush.DefaultMaxRetries,
		MaxQueueRecords: DefaultMaxQueueRecords, MaxQueueBytes: DefaultMaxQueueBytes,
		Consent: Consents[0],
	}
	ms, err := members(nil, m, "config", raw, nil)
	if err != nil {
		return c, err
	}
	for _, mem := range ms {
		v, k := mem.Value, mem.Key
		if string(v) == "null" {
			continue
		}
		switch k {
		case "projectToken":
			c.ProjectToken, err = str(m, k, v)
		case "authorization":
			c.Authorization, err = str(m, k, v)
		case "baseUrl":
			c.BaseURL, err = str(m, k, v)
		case "dbName":
			c.DBName, err = str(m, k, v)
		case "flushMode":
			var s string
			if s, err = str(m, k, v); err == nil {
				c.FlushMode, err = ParseFlushMode(m, s)
			}
		case "defaultProperties":
			c.DefaultProperties, err = parseProps(m, k, v)
		case "automaticSessionTracking":
			c.Session.Automatic, err = boolean(m, k, v)
		case "allowDefaultCustomerProperties":
			c.AllowDefaultCustomerProperties, err = boolean(m, k, v)
		case "manualSessionAutoClose":
			c.Session.ManualAutoClose, err = boolean(m, k, v)
		case "sessionTimeout":
			c.Session.Timeout, err = duration(m, k, v, time.Second, 0, session.MaxTimeout)
		case "flushPeriod":
			c.FlushPeriod, err = ParseFlushPeriod(m, k, v)
		case "maxQueueRecords":
			c.MaxQueueRecords, err = whole(m, k, v, 1, MaxMaxQueueRecords)
		case "maxQueueBytes":
			var n int
			n, err = whole(m, k, v, MinMaxQueueBytes, MaxMaxQueueBytes)
			c.MaxQueueBytes = int64(n)
		case "flushMaxRetries":
			c.FlushMaxRetries, err = whole(m, k, v, 1, MaxFlushRetries)
		case "consent":
			if c.Consent, err = str(m, k, v); err == nil {
				c.Consent, err = ParseConsent(m, c.Consent)
			}
		case "debug":
			c.Debug, err = boolean(m, k, v)
		}
		if err != nil {
			return c, err
		}
	}
	if c.ProjectToken == "" {
		return c, typeErr(m, "projectToken", "must be a non-empty string")
	}
	if strings.ContainsAny(c.ProjectToken, "/?#%") {
		return c, typeErr(m, "projectToken", "must not contain '/', '?', '#' or '%'")
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if !strings.HasPrefix(c.BaseURL, "https://") && !strings.HasPrefix(c.BaseURL, "http://") {
		return c, typeErr(m, "baseUrl", "must be an http(s) URL")
	}
	if c.DBName == "" {
		c.DBName = "exponea:" + c.ProjectToken
	}
	return c, nil
}

// ParseFlushMode validates a flush mode name for method (configure,
// setFlushMode).
func ParseFlushMode(method, s string) (schedule.Mode, error) {
	if mode := schedule.Mode(s); mode.Valid() {
		return mode, nil
	}
	names := make([]string, len(schedule.Modes))
	for i, mode := range schedule.Modes {
		names[i] = "'" + string(mode) + "'"
	}
	return "", rangeErr(method, "flushMode", "must be one of "+strings.Join(names, ", "))
}

// ParseConsent validates a consent state.
func ParseConsent(method, s string) (string, error) {
	for _, c := range Consents {
		if s == c {
			return s, nil
		}
	}
	return "", rangeErr(method, "consent", "must be one of 'granted', 'pending', 'denied'")
}

// ParseFlushPeriod validates a flush period in milliseconds (configure's
// flushPeriod, setFlushPeriod's argument).
func ParseFlushPeriod(method, field string, v []byte) (time.Duration, error) {
	return duration(method, field, v, time.Millisecond, schedule.MinPeriod, schedule.MaxPeriod)
}

func str(method, field string, v []byte) (string, error) {
	s, err := jsonx.String(v)
	if err != nil {
		return "", typeErr(method, field, "must be a string")
	}
	return s, nil
}

func boolean(method, field string, v []byte) (bool, error) {
	b, err := jsonx.Bool(v)
	if err != nil {
		return false, typeErr(method, field, "must be a boolean")
	}
	return b, nil
}

// whole reads a whole number between lo and hi.
func whole(method, field string, v []byte, lo, hi float64) (int, error) {
	f, err := number(method, field, v, lo, hi)
	if err == nil && f != math.Trunc(f) {
		err = typeErr(method, field, "must be a whole number")
	}
	return int(f), err
}

// duration reads a number of units between lo and hi.
func duration(method, field string, v []byte, unit, lo, hi time.Duration) (time.Duration, error) {
	f, err := number(method, field, v, float64(lo)/float64(unit), float64(hi)/float64(unit))
	return time.Duration(f * float64(unit)), err
}

func number(method, field string, v []byte, lo, hi float64) (float64, error) {
	f, err := jsonx.Number(v)
	if err != nil {
		return 0, typeErr(method, field, "must be a number")
	}
	if f < lo || f > hi {
		return 0, rangeErr(method, field, "must be between "+string(jsonx.AppendFloat(nil, lo))+" and "+string(jsonx.AppendFloat(nil, hi)))
	}
	return f, nil
}
