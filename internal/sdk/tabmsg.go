package sdk

import (
	"strconv"
	"strings"
	"time"
)

// The messages between the SDKs of the origin's runtimes (Tabs): the tabs
// whose Go side runs on its own (a dedicated Worker, the page), other SDK
// versions, and the SDKs of one SharedWorker, which share their store's
// Peers as well. Each is a string:
//
//	changed                the shared state changed: reread it
//	gone\nID\nID…          these records were confirmed or given up
//	hold MS\nID\nID…       a page sent these at close: none sends them for MS ms
//
// An SDK of an older version takes any message for "changed".
const tabChanged = "changed"

const (
	tabGone = "gone"
	tabHold = "hold"
)

// tabRecords is the message telling the other SDKs kind (tabGone, tabHold)
// of records ids; for tabHold, for how long.
func tabRecords(kind string, ids []string, hold time.Duration) string {
	b := []byte(kind)
	if kind == tabHold {
		b = append(b, ' ')
		b = strconv.AppendInt(b, hold.Milliseconds(), 10)
	}
	for _, id := range ids {
		b = append(b, '\n')
		b = append(b, id...)
	}
	return string(b)
}

// parseTab reads a message: kind is tabGone or tabHold with their ids and
// hold, or tabChanged for anything else (a message this version does not
// know is a change to reread).
func parseTab(msg string) (kind string, ids []string, hold time.Duration) {
	head, rest, _ := strings.Cut(msg, "\n")
	word, arg, _ := strings.Cut(head, " ")
	switch word {
	case tabGone:
	case tabHold:
		ms, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || ms <= 0 {
			return tabChanged, nil, 0
		}
		hold = time.Duration(ms) * time.Millisecond
	default:
		return tabChanged, nil, 0
	}
	for rest != "" {
		var id string
		id, rest, _ = strings.Cut(rest, "\n")
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return tabChanged, nil, 0
	}
	return word, ids, hold
}
