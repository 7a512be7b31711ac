package retry

import (
	"strings"
	"time"
)

// MaxAfter caps the wait a Retry-After header can impose, so that a
// misconfigured server cannot silence the tracker for days.
const MaxAfter = time.Hour

// ParseAfter reads a Retry-After header value at time now: either
// delta-seconds ("120") or an HTTP-date in IMF-fixdate form ("Sun, 06 Nov
// 1994 08:49:37 GMT"), or the obsolete RFC 850 ("Sunday, 06-Nov-94 08:49:37
// GMT") and asctime ("Sun Nov  6 08:49:37 1994") forms. A negative delay or
// a date in the past gives 0; delays are capped at MaxAfter. The
// boolean is false for an empty or unparsable value.
func ParseAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if d, ok := parseSeconds(v); ok {
		return clampWait(d), true
	}
	t, ok := parseHTTPDate(v, now)
	if !ok {
		return 0, false
	}
	return clampWait(t.Sub(now)), true
}

func clampWait(d time.Duration) time.Duration { return min(max(d, 0), MaxAfter) }

// parseSeconds reads an optionally signed decimal integer; it saturates
// instead of overflowing, since anything past the cap is the cap.
func parseSeconds(v string) (time.Duration, bool) {
	neg := false
	if v[0] == '-' || v[0] == '+' {
		neg = v[0] == '-'
		v = v[1:]
	}
	if v == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n <= int64(MaxAfter/time.Second) {
			n = n*10 + int64(c-'0')
		}
	}
	if neg {
		return 0, true
	}
	return time.Duration(n) * time.Second, true
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

var weekdays = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// parseHTTPDate hand-parses the three date forms of RFC 9110 §5.6.7. Names
// are matched without regard to case; the weekday is checked to be a
// weekday name but not against the date, as lenient recipients do.
func parseHTTPDate(s string, now time.Time) (time.Time, bool) {
	switch {
	case len(s) == 29 && s[3] == ',': // Sun, 06 Nov 1994 08:49:37 GMT
		if !shortDay(s[:3]) || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || !strings.EqualFold(s[25:], " GMT") {
			return time.Time{}, false
		}
		return date(num(s[12:16]), month(s[8:11]), num(s[5:7]), s[17:25])
	case len(s) == 24 && s[3] == ' ': // Sun Nov  6 08:49:37 1994
		if !shortDay(s[:3]) || s[7] != ' ' || s[10] != ' ' || s[19] != ' ' {
			return time.Time{}, false
		}
		day := s[8:10]
		if day[0] == ' ' {
			day = day[1:]
		}
		return date(num(s[20:24]), month(s[4:7]), num(day), s[11:19])
	}
	// Sunday, 06-Nov-94 08:49:37 GMT
	i := strings.IndexByte(s, ',')
	if i < 0 || !longDay(s[:i]) {
		return time.Time{}, false
	}
	r := s[i+1:]
	if len(r) != 23 || r[0] != ' ' || r[3] != '-' || r[7] != '-' || r[10] != ' ' || !strings.EqualFold(r[19:], " GMT") {
		return time.Time{}, false
	}
	yy := num(r[8:10])
	if yy < 0 {
		return time.Time{}, false
	}
	// RFC 9110: a two-digit year more than 50 years ahead means the past
	// century.
	cur := now.UTC().Year()
	year := cur/100*100 + yy
	if year > cur+50 {
		year -= 100
	}
	return date(year, month(r[4:7]), num(r[1:3]), r[11:19])
}

func shortDay(s string) bool {
	for _, d := range weekdays {
		if strings.EqualFold(s, d[:3]) {
			return true
		}
	}
	return false
}

func longDay(s string) bool {
	for _, d := range weekdays {
		if strings.EqualFold(s, d) {
			return true
		}
	}
	return false
}

// month returns 1..12, or 0 for an unknown name.
func month(s string) time.Month {
	for i, m := range months {
		if strings.EqualFold(s, m) {
			return time.Month(i + 1)
		}
	}
	return 0
}

// num parses a run of ASCII digits; -1 if s is empty or has anything else.
func num(s string) int {
	if s == "" {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// date builds a UTC time from parsed fields and "HH:MM:SS", rejecting
// out-of-range fields rather than letting time.Date normalise them.
func date(year int, mon time.Month, day int, clock string) (time.Time, bool) {
	if len(clock) != 8 || clock[2] != ':' || clock[5] != ':' {
		return time.Time{}, false
	}
	h, m, sec := num(clock[0:2]), num(clock[3:5]), num(clock[6:8])
	if year < 0 || mon == 0 || day < 1 || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60 {
		return time.Time{}, false
	}
	t := time.Date(year, mon, day, h, m, min(sec, 59), 0, time.UTC)
	if t.Day() != day { // 31 Feb and the like
		return time.Time{}, false
	}
	return t, true
}
