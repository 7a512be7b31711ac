package sdk

import "strings"

// The messages between the SDKs of the origin's runtimes (Tabs): the tabs
// whose Go side runs on its own (a dedicated Worker, the page), other SDK
// versions, and the SDKs of one SharedWorker, which share their store's
// Peers as well. Each is a string:
//
//	changed                the shared state changed: reread it
//	gone\nID\nID…          these records were confirmed or given up
//
// An SDK of an older version takes any message for "changed".
const tabChanged = "changed"

const tabGone = "gone"

// goneMessage is the message telling the other SDKs that records ids were
// confirmed or given up.
func goneMessage(ids []string) string {
	b := []byte(tabGone)
	for _, id := range ids {
		b = append(b, '\n')
		b = append(b, id...)
	}
	return string(b)
}

// parseTab reads a message: kind is tabGone with its ids, or tabChanged
// for anything else (a message this version does not know is a change to
// reread).
func parseTab(msg string) (kind string, ids []string) {
	head, rest, _ := strings.Cut(msg, "\n")
	if head != tabGone {
		return tabChanged, nil
	}
	for rest != "" {
		var id string
		id, rest, _ = strings.Cut(rest, "\n")
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return tabChanged, nil
	}
	return tabGone, ids
}
