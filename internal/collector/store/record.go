package store

// Record is a validated command that is ready to be stored. JSON-valued
// fields are kept as compact JSON text.
type Record struct {
	Kind        string // wire.CommandEvent or wire.CommandCustomer
	CommandID   string // "" when the command carried none
	CustomerIDs string
	EventType   string
	Timestamp   float64
	Properties  string
}

// Write is one request's worth of storage work, stored in one
// transaction with the request's count.
type Write struct {
	Project    string
	Records    []Record // valid events and customer updates, in command order
	ReceivedAt float64  // Unix seconds
	Commands   int      // commands received in the request, valid or not
	// Status is the answer the request gets, counted with the records:
	// 200, or StatusDropped when its connection is closed without an
	// answer; 0 counts nothing.
	Status int
	// Relay stores the records into the outbox, for forwarding, instead
	// of the tables.
	Relay bool
	// Expected says that the writer was told to expect it (Expect).
	Expected bool
}
