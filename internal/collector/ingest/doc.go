// Package ingest receives the Tracking API v2: POST .../batch, the single
// customers/events and customers endpoints, and system/time, under
// /track/v2/projects/{token}/. Every request goes through one pipeline:
// CORS, rate limit, endpoint and method, injected faults (only when
// enabled), credentials, project, body limit, JSON parsing and
// per-command validation (the rules of internal/wire); the valid commands
// become Records, handed to the Store in one Write, and the request is
// answered once that Write is durable. Requests that store nothing are
// counted by the Store in memory.
package ingest
