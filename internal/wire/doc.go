// Package wire is the Bloomreach Engagement Tracking API v2 as this project
// speaks it: the command names, the batch envelope, the per-command results,
// and the limits a command and a request must respect. It is the one
// definition both sides use: the SDK's tracker builds commands with it and
// its flusher sends and reads them with it; the collector parses and answers
// them with it. The loader's JavaScript constants are generated from it
// (cmd/genjs), so a rule changed here changes everywhere or fails a test.
//
// Everything is reflection-free, on internal/jsonx: the SDK is compiled to
// WebAssembly, where encoding/json would cost 250 KB of download.
//
// A batch request:
//
//	POST {base}/track/v2/projects/{token}/batch
//	{"commands":[
//	  {"name":"customers/events","command_id":"<uuid>","data":{
//	    "customer_ids":{"cookie":"<uuid>"},"event_type":"purchase",
//	    "timestamp":1764320000.123,"properties":{"price":123.45}}},
//	  {"name":"customers","command_id":"<uuid>","data":{
//	    "customer_ids":{"cookie":"<uuid>","registered":"a@b.com"},
//	    "properties":{"payingCustomer":true}}}]}
//
// and its answer, one result per command in order:
//
//	{"results":[{"success":true},{"success":false,"errors":["..."]}],
//	 "success":true,"start_time":1764320000.1,"end_time":1764320000.2}
package wire
