package retry

import (
	"testing"
	"time"
)

// t0 is the flush tests' clock start, a date in 2026.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestParseAfter(t *testing.T) {
	// 90 s before the RFC's example date.
	now := time.Date(1994, 11, 6, 8, 48, 7, 0, time.UTC)
	tests := []struct {
		name   string
		v      string
		now    time.Time
		want   time.Duration
		wantOK bool
	}{
		{"seconds", "120", now, 120 * time.Second, true},
		{"zero", "0", now, 0, true},
		{"spaces around", "  30 ", now, 30 * time.Second, true},
		{"negative is now", "-5", now, 0, true},
		{"capped at an hour", "7200", now, time.Hour, true},
		{"huge does not overflow", "99999999999999999999999", now, time.Hour, true},
		{"IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", now, 90 * time.Second, true},
		{"IMF-fixdate, any case", "sun, 06 NOV 1994 08:49:37 gmt", now, 90 * time.Second, true},
		{"RFC 850", "Sunday, 06-Nov-94 08:49:37 GMT", now, 90 * time.Second, true},
		{"asctime", "Sun Nov  6 08:49:37 1994", now, 90 * time.Second, true},
		{"asctime, two-digit day", "Wed Nov 16 08:49:37 1994", now.AddDate(0, 0, 10), 90 * time.Second, true},
		{"past date is now", "Sun, 06 Nov 1994 08:00:00 GMT", now, 0, true},
		{"far future date is capped", "Fri, 01 Jan 2100 00:00:00 GMT", now, time.Hour, true},
		{"RFC 850 year over 50 years ahead is the past century", "Friday, 01-Jan-99 00:00:00 GMT", t0, 0, true},
		{"RFC 850 year within 50 years is this century", "Monday, 01-Mar-27 00:00:00 GMT", t0, time.Hour, true},
		{"empty", "", now, 0, false},
		{"words", "soon", now, 0, false},
		{"fraction", "1.5", now, 0, false},
		{"sign only", "-", now, 0, false},
		{"no such day", "Sun, 31 Feb 1994 08:49:37 GMT", now, 0, false},
		{"no such month", "Sun, 06 Foo 1994 08:49:37 GMT", now, 0, false},
		{"no such weekday", "Sol, 06 Nov 1994 08:49:37 GMT", now, 0, false},
		{"hour out of range", "Sun, 06 Nov 1994 24:49:37 GMT", now, 0, false},
		{"other zone", "Sun, 06 Nov 1994 08:49:37 PST", now, 0, false},
		{"missing comma", "Sun  06 Nov 1994 08:49:37 GMT", now, 0, false},
		{"ISO 8601", "1994-11-06T08:49:37Z", now, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseAfter(tt.v, tt.now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got %v, %v, want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
