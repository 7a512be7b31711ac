package tracker

import (
	"strconv"
	"sync"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/session"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// Call is one call the page made, as the loader hands it over: the id its
// answer goes back under, the method, its argument as JSON (the page's own
// JSON.stringify output, empty for none) and when it was made.
//
// A call the page kept in its journal (see internal/sdk) also carries the
// id its record gets (Key, the command_id, so that every path that may
// deliver it sends the same one) and the journal entry it belongs to
// (Entry; Apply stores an entry's calls once, however often it is handed
// over).
type Call struct {
	ID     int64
	Method string
	Args   []byte
	TimeMs float64 // Unix milliseconds
	Key    string  // the record's id; "" to make one
	Entry  string  // the journal entry; "" for none
}

// Result is the outcome of one Call: nil Err means it is durably stored.
type Result struct {
	Err error
}

// Tracker turns calls into records. It is safe for concurrent use.
type Tracker struct {
	store  queue.Store
	newID  func() string
	cfg    Config
	device Device

	mu       sync.Mutex
	id       Identity
	defaults wire.Props

	// names interns the member names of parsed calls across batches (a
	// page sends the same few names over and over); namesMu guards it, as
	// calls are parsed outside mu.
	namesMu sync.Mutex
	names   jsonx.Names

	// Queue bounds (limits.go).
	estN     int
	estBytes int64
	dropped  int
	onDrop   DropHandler
}

// Open counts the queue and loads the shared identity from store, creating a
// customer cookie with newID on first use. The installation event is
// Install's: the SDK tracks it after configure has answered, so that ready
// does not wait for its transactions.
func Open(ctx ctxlite.Context, store queue.Store, cfg Config, dev Device, newID func() string) (*Tracker, error) {
	return OpenFrom(ctx, store, cfg, dev, newID, nil)
}

// OpenFrom is Open with what a queue.Snapshotter has read already: the
// queue's count and size, and the stored identity as snap.Values[0] (the
// state key StateCustomer). A good identity is taken as read; without one
// it is created as Open does, in a transaction of its own. A nil snap reads
// everything.
func OpenFrom(ctx ctxlite.Context, store queue.Store, cfg Config, dev Device, newID func() string, snap *queue.Snapshot) (*Tracker, error) {
	t := &Tracker{store: store, newID: newID, cfg: cfg, device: dev, defaults: cfg.DefaultProperties}
	if snap == nil {
		if err := t.count(ctx); err != nil {
			return nil, err
		}
	} else {
		t.estN, t.estBytes = snap.N, snap.Bytes
		if len(snap.Has) > 0 && snap.Has[0] {
			if id, good := DecodeIdentity(snap.Values[0]); good {
				t.id = id
				return t, nil
			}
		}
	}
	if err := t.loadIdentity(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

// Identify loads the shared identity, creating a customer cookie on first
// use (or after Forget), and tracks the installation event once per cookie.
// It returns the records it stored.
func (t *Tracker) Identify(ctx ctxlite.Context, nowMs float64) ([]queue.Record, error) {
	if err := t.loadIdentity(ctx); err != nil {
		return nil, err
	}
	return t.Install(ctx, nowMs)
}

// loadIdentity loads the shared identity, creating a customer cookie on
// first use (or after Forget).
func (t *Tracker) loadIdentity(ctx ctxlite.Context) error {
	val, err := t.store.UpdateState(ctx, StateCustomer, EnsureIdentity(t.newID))
	if err != nil {
		return err
	}
	t.mu.Lock()
	t.id, _ = DecodeIdentity(val)
	t.mu.Unlock()
	return nil
}

// EnsureIdentity is the update of the StateCustomer state that keeps a
// usable identity and makes a new customer (a cookie from newID) where
// there is none: an UpdateState fn, or a Snapshot's init for that key.
func EnsureIdentity(newID func() string) func(old string, ok bool) (string, bool) {
	return func(old string, ok bool) (string, bool) {
		if _, good := DecodeIdentity(old); ok && good {
			return old, false
		}
		return Identity{Cookie: newID()}.Encode(), true
	}
}

// Forget deletes every queued record, the customer's identity (cookie and
// ids) and the session state, for every tab of the origin: the visitor
// revoked their consent. It returns how many records it deleted. Identify
// makes a new customer.
func (t *Tracker) Forget(ctx ctxlite.Context) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for {
		page, err := t.store.Oldest(ctx, 0, 500)
		if err != nil || len(page) == 0 {
			if err == nil {
				err = t.count(ctx)
			}
			if err != nil {
				return n, err
			}
			break
		}
		seqs := make([]int64, len(page))
		for i, r := range page {
			seqs[i] = r.Seq
		}
		if err := t.store.Delete(ctx, seqs); err != nil {
			return n, err
		}
		n += len(page)
	}
	for _, key := range []string{StateCustomer, session.StateKey} {
		if _, err := t.store.UpdateState(ctx, key, func(string, bool) (string, bool) { return "", true }); err != nil {
			return n, err
		}
	}
	t.id = Identity{}
	return n, nil
}

// Install tracks the installation event unless this cookie already has one.
// The flag is set first, in its own transaction, so two tabs opening at once
// track it once. now is the current time in Unix milliseconds; it returns
// the records it stored.
func (t *Tracker) Install(ctx ctxlite.Context, now float64) ([]queue.Record, error) {
	t.mu.Lock()
	cookie, installed := t.id.Cookie, t.id.Installed
	t.mu.Unlock()
	if installed {
		return nil, nil
	}
	flipped := false
	val, err := t.store.UpdateState(ctx, StateCustomer, func(old string, ok bool) (string, bool) {
		cur, good := DecodeIdentity(old)
		if !good || cur.Cookie != cookie || cur.Installed {
			return old, false
		}
		cur.Installed, flipped = true, true
		return cur.Encode(), true
	})
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	if id, ok := DecodeIdentity(val); ok {
		t.id = id
	}
	ids := t.id.CustomerIDs()
	t.mu.Unlock()
	if !flipped {
		return nil, nil
	}
	rec := t.eventRecord(ids, jsonx.AppendString(nil, "installation"), now/1000, t.device.Properties(), now)
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.append(ctx, []queue.Record{rec})
}

// Cookie returns the customer cookie.
func (t *Tracker) Cookie() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.id.Cookie
}

// CustomerIDs returns the customer_ids of the commands tracked now (the
// cookie first, then the ids identifyCustomer merged), as a JSON object.
func (t *Tracker) CustomerIDs() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.id.CustomerIDs().AppendJSON(nil)
}

// SetDefaultProperties replaces the default properties (a JSON object).
func (t *Tracker) SetDefaultProperties(raw []byte) error {
	p, err := parseProps("setDefaultProperties", "properties", raw)
	if err != nil {
		return err
	}
	t.mu.Lock()
	t.defaults = clone(p)
	t.mu.Unlock()
	return nil
}

// DefaultProperties returns the default properties as a JSON object.
func (t *Tracker) DefaultProperties() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.defaults.AppendJSON(nil)
}

// op is a validated call, ready to become a record.
type op struct {
	call  int
	kind  queue.Kind // KindEvent for trackEvent, KindCustomer for identifyCustomer
	event []byte     // the event name as a JSON string literal (events)
	ts    float64
	ids   wire.Props // identifyCustomer's ids
	props wire.Props
}

// Apply validates calls and stores the valid ones as records, all in one
// store transaction (group commit). Calls are applied in order, so an event
// tracked after an identifyCustomer in the same batch carries its ids. It
// returns one Result per call and the records stored. The calls of each
// journal entry (Call.Entry; an entry's calls must all be in one Apply) are
// stored once: if the entry was stored before, by this tab or another, its
// records are not stored again and its valid calls succeed.
func (t *Tracker) Apply(ctx ctxlite.Context, calls []Call) ([]Result, []queue.Record) {
	res := make([]Result, len(calls))
	ops, identifies := t.parseAll(calls, res)
	if len(ops) == 0 {
		return res, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	fail := func(err error) ([]Result, []queue.Record) {
		for _, o := range ops {
			if res[o.call].Err == nil {
				res[o.call].Err = err
			}
		}
		return res, nil
	}
	base := t.id
	if identifies { // start from what every tab has merged so far
		if v, ok, err := t.store.GetState(ctx, StateCustomer); err != nil {
			return fail(err)
		} else if id, good := DecodeIdentity(v); ok && good {
			base = id
		}
	}
	// Build every record first: a call refused for its size must not leave
	// its ids behind, so ids are merged only for identifies that pass.
	recs := make([]queue.Record, 0, len(ops))
	var (
		merged []op
		starts []int // where each journal entry's records start in recs
		marks  []string
	)
	cur := base
	// Reused from record to record: the command is encoded into buf and
	// copied out as its body; props, the merged properties, is only
	// encoded. customerIDs is cur's, rebuilt only when cur.IDs changes.
	var (
		buf         []byte
		props       wire.Props
		customerIDs = cur.CustomerIDs()
	)
	for _, o := range ops {
		var (
			rec     queue.Record
			ids     wire.Props // identifyCustomer's ids merged over cur's
			nextIDs wire.Props // and the customer_ids they make
		)
		if o.kind == queue.KindCustomer {
			ids = Merge(cur.IDs, o.ids)
			own := o.props
			if t.cfg.AllowDefaultCustomerProperties {
				props = mergeInto(props, t.defaults, own)
				own = props
			}
			id := t.recordID(calls[o.call])
			next := cur
			next.IDs = ids
			nextIDs = next.CustomerIDs()
			c := wire.Customer{ID: id, CustomerIDs: nextIDs, Properties: own}
			buf = c.AppendJSON(buf[:0])
			rec = record(queue.KindCustomer, id, buf, calls[o.call].TimeMs)
		} else {
			props = mergeInto(props, t.defaults, o.props)
			id := t.recordID(calls[o.call])
			e := wire.Event{ID: id, CustomerIDs: customerIDs, Type: o.event, Timestamp: o.ts, Properties: props}
			buf = e.AppendJSON(buf[:0])
			rec = record(queue.KindEvent, id, buf, calls[o.call].TimeMs)
		}
		if n := len(rec.Body); n > wire.MaxCommandBytes {
			res[o.call].Err = rangeErr(methodOf(o), argName(o), "is "+strconv.Itoa(n)+" bytes encoded, over the 800 KB limit for a command")
			continue
		}
		if o.kind == queue.KindCustomer {
			cur.IDs, customerIDs = ids, nextIDs
			merged = append(merged, o)
		}
		if e := calls[o.call].Entry; len(marks) == 0 || e != marks[len(marks)-1] {
			starts, marks = append(starts, len(recs)), append(marks, e)
		}
		recs = append(recs, rec)
	}
	if len(merged) > 0 {
		if err := t.mergeIDs(ctx, merged); err != nil {
			return fail(err)
		}
	}
	if len(marks) == 1 && marks[0] == "" { // no journal entry: no marks
		stored, err := t.append(ctx, recs)
		if err != nil {
			return fail(err)
		}
		return res, stored
	}
	batches := make([]queue.Batch, len(marks))
	for i, m := range marks {
		end := len(recs)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		batches[i] = queue.Batch{Mark: m, Recs: recs[starts[i]:end]}
	}
	// A journal entry stored before (skipped) was stored by this tab or
	// another: its valid calls are durable all the same.
	stored, _, err := t.appendOnce(ctx, batches)
	if err != nil {
		return fail(err)
	}
	return res, stored
}

// recordID is the id of c's record: the one the page gave it, else a new
// one.
func (t *Tracker) recordID(c Call) string {
	if c.Key != "" {
		return c.Key
	}
	return t.newID()
}

// parseAll validates calls, setting res's errors for the invalid ones, and
// returns the valid ones as ops, in order. The calls share a parser, and
// the tracker's name table.
func (t *Tracker) parseAll(calls []Call, res []Result) (ops []op, identifies bool) {
	t.namesMu.Lock()
	defer t.namesMu.Unlock()
	p := newParser(&t.names, len(calls))
	ops = make([]op, 0, len(calls))
	for i, c := range calls {
		o, err := t.parse(c, p)
		if err != nil {
			res[i].Err = err
			continue
		}
		o.call = i
		identifies = identifies || o.kind == queue.KindCustomer
		ops = append(ops, o)
	}
	return ops, identifies
}

// mergeIDs merges the ids of accepted identifyCustomer calls into the
// stored identity in one state transaction, so tabs merge rather than
// overwrite each other's ids, and caches the result.
func (t *Tracker) mergeIDs(ctx ctxlite.Context, ops []op) error {
	val, err := t.store.UpdateState(ctx, StateCustomer, func(old string, ok bool) (string, bool) {
		cur := t.id
		if id, good := DecodeIdentity(old); ok && good {
			cur = id
		}
		for _, o := range ops {
			cur.IDs = Merge(cur.IDs, o.ids)
		}
		return cur.Encode(), true
	})
	if err != nil {
		return err
	}
	if id, ok := DecodeIdentity(val); ok {
		t.id = id
	}
	return nil
}

// argName names a call's argument in errors, as the loader does.
func argName(o op) string {
	if o.kind == queue.KindCustomer {
		return "customer"
	}
	return "event"
}

func methodOf(o op) string {
	if o.kind == queue.KindCustomer {
		return "identifyCustomer"
	}
	return "trackEvent"
}

func (t *Tracker) eventRecord(ids wire.Props, event []byte, ts float64, props wire.Props, now float64) queue.Record {
	id := t.newID()
	e := wire.Event{ID: id, CustomerIDs: ids, Type: event, Timestamp: ts, Properties: props}
	return record(queue.KindEvent, id, e.AppendJSON(nil), now)
}

func record(kind queue.Kind, id string, body []byte, now float64) queue.Record {
	return queue.Record{ID: id, Kind: kind, CreatedMs: int64(now), Body: string(body)}
}
