package exponea

import (
	"strconv"
	"time"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// Config is the configuration: the JavaScript SDK's, with Go names and
// types. Zero fields take the SDK's defaults.
type Config struct {
	// ProjectToken is the Bloomreach Engagement project token (required).
	ProjectToken string
	// Authorization is the Authorization header value, e.g. "Token key".
	Authorization string
	// BaseURL is the API's; default https://api.exponea.com.
	BaseURL string
	// DefaultProperties are merged under every event's.
	DefaultProperties Properties
	// NoDefaultCustomerProperties keeps DefaultProperties off
	// IdentifyCustomer's properties.
	NoDefaultCustomerProperties bool
	// ManualSessions turns automatic session tracking off.
	ManualSessions bool
	// SessionTimeout ends a session after that long hidden (default 60 s).
	SessionTimeout time.Duration
	// FlushMode is "immediate" (default), "period", "appClose" or "manual".
	FlushMode string
	// FlushPeriod is the period of "period" mode (default one hour).
	FlushPeriod time.Duration
	// FlushMaxRetries is how often the server may reject a command before
	// it is dropped (default 10).
	FlushMaxRetries int
	// MaxQueueRecords and MaxQueueBytes bound the queue.
	MaxQueueRecords int
	MaxQueueBytes   int64
	// Consent is "granted" (default), "pending" or "denied".
	Consent string
	// DBName names the IndexedDB database; default "exponea:" + ProjectToken.
	DBName string
	// Debug logs what the SDK does to the console.
	Debug bool
	// OnReport, if set, is told of delivery health: kind is "flush",
	// "error" or "drop", detail the report as JSON (the JavaScript SDK's
	// shapes). It runs on the SDK's goroutines and must return quickly.
	OnReport func(kind, detail string)
}

// appendJSON appends c as the JavaScript SDK's configuration object, for
// the SDK to validate as it validates the page's.
func (c Config) appendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, '{')
	field := func(name string) {
		if len(dst) > 1 {
			dst = append(dst, ',')
		}
		dst = jsonx.AppendString(dst, name)
		dst = append(dst, ':')
	}
	str := func(name, v string) {
		if v != "" {
			field(name)
			dst = jsonx.AppendString(dst, v)
		}
	}
	num := func(name string, v float64, set bool) {
		if set {
			field(name)
			dst = jsonx.AppendFloat(dst, v)
		}
	}
	str("projectToken", c.ProjectToken)
	str("authorization", c.Authorization)
	str("baseUrl", c.BaseURL)
	str("flushMode", c.FlushMode)
	str("consent", c.Consent)
	str("dbName", c.DBName)
	num("flushPeriod", float64(c.FlushPeriod)/float64(time.Millisecond), c.FlushPeriod != 0)
	num("sessionTimeout", c.SessionTimeout.Seconds(), c.SessionTimeout != 0)
	num("flushMaxRetries", float64(c.FlushMaxRetries), c.FlushMaxRetries != 0)
	num("maxQueueRecords", float64(c.MaxQueueRecords), c.MaxQueueRecords != 0)
	num("maxQueueBytes", float64(c.MaxQueueBytes), c.MaxQueueBytes != 0)
	for _, b := range [...]struct {
		name string
		v    bool
	}{{"allowDefaultCustomerProperties", !c.NoDefaultCustomerProperties}, {"automaticSessionTracking", !c.ManualSessions}, {"debug", c.Debug}} {
		field(b.name)
		dst = strconv.AppendBool(dst, b.v)
	}
	if c.DefaultProperties != nil {
		field("defaultProperties")
		var err error
		if dst, err = appendObject(dst, c.DefaultProperties); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}
