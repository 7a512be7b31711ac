package store

import (
	"strconv"
	"strings"
)

// Stats is the body of GET /api/stats.
type Stats struct {
	Events             int64            `json:"events"`
	Customers          int64            `json:"customers"`
	Outbox             int64            `json:"outbox"` // commands waiting to be forwarded (relay)
	CommandsReceived   int64            `json:"commands_received"`
	DuplicatesReceived int64            `json:"duplicates_received"`
	Forwarded          int64            `json:"forwarded"`       // commands the upstream confirmed (relay)
	ForwardDropped     int64            `json:"forward_dropped"` // commands the upstream refused for good (relay)
	Requests           int64            `json:"requests"`
	RequestsByStatus   map[string]int64 `json:"requests_by_status"`
}

// Counter names in a backend's counters. Request counters are
// StatusCounterPrefix + the status code ("status:200") or + "dropped" for
// a connection closed without a response.
const (
	CounterCommands       = "commands_received"
	CounterDuplicates     = "duplicates_received"
	CounterForwarded      = "forwarded"
	CounterForwardDropped = "forward_dropped"
	StatusCounterPrefix   = "status:"
)

// StatusDropped is the status of a request whose connection was closed
// without an answer.
const StatusDropped = -1

// StatusCounter is the counter of requests answered with status, or of
// StatusDropped. It returns "" for 0, which counts nothing.
func StatusCounter(status int) string {
	switch {
	case status == StatusDropped:
		return StatusCounterPrefix + "dropped"
	case status <= 0:
		return ""
	}
	return StatusCounterPrefix + strconv.Itoa(status)
}

// Add adds a counter's value to its field.
func (s *Stats) Add(name string, v int64) {
	if s.RequestsByStatus == nil {
		s.RequestsByStatus = map[string]int64{}
	}
	switch {
	case name == CounterCommands:
		s.CommandsReceived += v
	case name == CounterDuplicates:
		s.DuplicatesReceived += v
	case name == CounterForwarded:
		s.Forwarded += v
	case name == CounterForwardDropped:
		s.ForwardDropped += v
	case strings.HasPrefix(name, StatusCounterPrefix):
		s.RequestsByStatus[strings.TrimPrefix(name, StatusCounterPrefix)] += v
	}
}

// Total sets Requests to the sum of RequestsByStatus.
func (s *Stats) Total() {
	if s.RequestsByStatus == nil {
		s.RequestsByStatus = map[string]int64{}
	}
	s.Requests = 0
	for _, v := range s.RequestsByStatus {
		s.Requests += v
	}
}
