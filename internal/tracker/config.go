package tracker

import (
	"math"
	"strings"

	"github.com/exponea-wasm/tracker/internal/jsonx"
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
	AutomaticSessionTracking       bool
	SessionTimeout                 float64 // seconds
	ManualSessionAutoClose         bool
	FlushMode                      string
	FlushPeriod                    float64 // milliseconds
	FlushMaxRetries                int
	// DBName names the IndexedDB database; one per project token by default.
	DBName string
	// MaxQueueRecords and MaxQueueBytes bound the queue; see limits.go.
	MaxQueueRecords int
	MaxQueueBytes   int64
}

// Queue bounds by default: far above what a page tracks between two
// flushes, low enough that a visitor offline for days does not fill the
// disk.
const (
	DefaultMaxQueueRecords = 10_000
	DefaultMaxQueueBytes   = 10 << 20
)

// DefaultBaseURL is the Bloomreach Engagement API.
const DefaultBaseURL = "https://api.exponea.com"

var flushModes = []string{"immediate", "period", "appClose", "manual"}

// ParseConfig validates the configure() argument, given as JSON.
func ParseConfig(raw []byte) (Config, error) {
	const m = "configure"
	c := Config{
		BaseURL: DefaultBaseURL, AutomaticSessionTracking: true, SessionTimeout: 60,
		AllowDefaultCustomerProperties: true, ManualSessionAutoClose: true,
		FlushMode: "immediate", FlushPeriod: 3_600_000, FlushMaxRetries: 10,
		MaxQueueRecords: DefaultMaxQueueRecords, MaxQueueBytes: DefaultMaxQueueBytes,
	}
	ms, err := jsonx.Object(raw)
	if err != nil {
		return c, typeErr(m, "config", "must be an object")
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
			c.FlushMode, err = str(m, k, v)
		case "defaultProperties":
			c.DefaultProperties, err = parseProps(m, k, v)
		case "automaticSessionTracking":
			c.AutomaticSessionTracking, err = boolean(m, k, v)
		case "allowDefaultCustomerProperties":
			c.AllowDefaultCustomerProperties, err = boolean(m, k, v)
		case "manualSessionAutoClose":
			c.ManualSessionAutoClose, err = boolean(m, k, v)
		case "sessionTimeout":
			c.SessionTimeout, err = number(m, k, v, 0, 365*24*3600)
		case "flushPeriod":
			c.FlushPeriod, err = number(m, k, v, 1, 365*24*3600*1000)
		case "maxQueueRecords":
			c.MaxQueueRecords, err = whole(m, k, v, 1, 10_000_000)
		case "maxQueueBytes":
			var n int
			n, err = whole(m, k, v, 1024, 1<<40)
			c.MaxQueueBytes = int64(n)
		case "flushMaxRetries":
			c.FlushMaxRetries, err = whole(m, k, v, 0, 1000)
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
	if err := CheckFlushMode(m, c.FlushMode); err != nil {
		return c, err
	}
	if c.DBName == "" {
		c.DBName = "exponea:" + c.ProjectToken
	}
	return c, nil
}

// CheckFlushMode validates a flush mode name.
func CheckFlushMode(method, mode string) error {
	for _, f := range flushModes {
		if mode == f {
			return nil
		}
	}
	return rangeErr(method, "flushMode", "must be one of 'immediate', 'period', 'appClose', 'manual'")
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
