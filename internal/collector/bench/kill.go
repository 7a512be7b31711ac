package bench

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	_ "modernc.org/sqlite" // reads the collector's file after the kills
)

// Durability is the outcome of the kill -9 check.
type Durability struct {
	Kills     int
	Sent      int    // batches whose request was made
	Acked     int    // batches answered 200, every command a success
	Lost      int    // acknowledged batches not wholly stored
	Partial   int    // batches of which some but not all events are stored
	Integrity string // SQLite's integrity_check: "ok" or the problems
}

// OK reports whether nothing acknowledged was lost, nothing was stored in
// part, and the file is sound.
func (d Durability) OK() bool { return d.Lost == 0 && d.Partial == 0 && d.Integrity == "ok" }

func (d Durability) String() string {
	return fmt.Sprintf("kill -9: %d kills under load: %d batches sent, %d answered 200; %d lost after ack, %d partly stored; integrity_check %s",
		d.Kills, d.Sent, d.Acked, d.Lost, d.Partial, d.Integrity)
}

// killCheck starts the collector on db kills times, puts it under load at
// concurrency and kills it with SIGKILL at a different moment each time,
// then reads the file and checks every batch.
func killCheck(ctx context.Context, bin, db string, kills, concurrency int, extra []string) (Durability, error) {
	var mu sync.Mutex
	var batches []batch
	record := func(b batch) {
		mu.Lock()
		batches = append(batches, b)
		mu.Unlock()
	}
	for i := range kills {
		p, err := start(ctx, bin, db, extra...)
		if err != nil {
			return Durability{}, err
		}
		lctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			load(lctx, []string{p.url}, concurrency, time.Minute, record)
		}()
		time.Sleep(400*time.Millisecond + time.Duration(i)*300*time.Millisecond)
		p.kill()
		cancel()
		<-done
	}
	d := Durability{Kills: kills}
	stored, integrity, err := readStored(ctx, db)
	if err != nil {
		return d, err
	}
	d.Integrity = integrity
	d.Sent, d.Acked, d.Lost, d.Partial = check(batches, func(id string) bool { return stored[id] })
	return d, nil
}

// check counts the batches sent, those acknowledged, the acknowledged
// ones not wholly stored (lost), and those stored in part.
func check(batches []batch, stored func(id string) bool) (sent, acked, lost, partial int) {
	for _, b := range batches {
		sent++
		n := 0
		for _, id := range b.ids {
			if stored(id) {
				n++
			}
		}
		if b.acked {
			acked++
			if n != len(b.ids) {
				lost++
			}
		}
		if n > 0 && n < len(b.ids) {
			partial++
		}
	}
	return sent, acked, lost, partial
}

// readStored opens the file as the collector left it (SQLite recovers the
// write-ahead log on open) and returns the stored events' command ids and
// the integrity check's answer.
func readStored(ctx context.Context, path string) (map[string]bool, string, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, "", err
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&integrity); err != nil {
		return nil, "", fmt.Errorf("bench: integrity_check: %w", err)
	}
	rows, err := db.QueryContext(ctx, "SELECT command_id FROM events WHERE project = ? AND command_id IS NOT NULL", Project)
	if err != nil {
		return nil, "", fmt.Errorf("bench: read events: %w", err)
	}
	defer rows.Close()
	stored := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, "", err
		}
		stored[id] = true
	}
	return stored, integrity, rows.Err()
}
