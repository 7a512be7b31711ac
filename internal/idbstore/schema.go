package idbstore

// SchemaVersion is the database version Open asks for; migrate brings older
// databases up to it.
//
//  1. records (keyPath seq, autoIncrement): one value per record; state.
//  2. blocks replaces records (see internal/idbstore/blocks); state is kept.
const SchemaVersion = 2

// Object store and index names.
const (
	recordsStore = "records" // version 1 only
	stateStore   = "state"
	blocksStore  = "blocks"
	offsetIndex  = "offsets"
)

// StoreSpec is an object store of the current version's layout, as
// IDBDatabase.createObjectStore and IDBObjectStore.createIndex take it.
type StoreSpec struct {
	Name          string      `json:"name"`
	KeyPath       string      `json:"keyPath,omitempty"` // "": out-of-line keys
	AutoIncrement bool        `json:"autoIncrement,omitempty"`
	Indexes       []IndexSpec `json:"indexes,omitempty"`
}

// IndexSpec is an index of a StoreSpec.
type IndexSpec struct {
	Name       string `json:"name"`
	KeyPath    string `json:"keyPath"`
	MultiEntry bool   `json:"multiEntry,omitempty"`
}

// Fresh is the layout of a database created at SchemaVersion: what the
// migrations make of an empty database, made at once. The worker script
// creates a new database from it (cmd/genjs hands it over as FRESH_SCHEMA)
// while the wasm compiles; Open takes that connection (Adopt).
var Fresh = []StoreSpec{
	{Name: stateStore},
	{Name: blocksStore, KeyPath: "k", AutoIncrement: true, Indexes: []IndexSpec{{Name: offsetIndex, KeyPath: "o", MultiEntry: true}}},
}

// PendingOpens names the Map (on the global) in which the worker script
// leaves the IDBOpenDBRequest it began for a database, at SchemaVersion,
// creating a new one as Fresh (js/src/worker.js); Open takes it.
const PendingOpens = "__exponeaOpening"
