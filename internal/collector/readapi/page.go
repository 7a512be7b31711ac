package readapi

import "net/http"

// pageAccess asks for read credentials before the page, so that a browser
// prompts for them (Basic) and sends them with the page's own requests.
func (a *API) pageAccess(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status, msg := a.Access.Check(r); status != 0 {
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Basic realm="collector", charset="UTF-8"`)
			}
			http.Error(w, msg, status)
			return
		}
		h(w, r)
	})
}

// page serves the self-contained HTML page that lists what arrived. It
// renders in the browser from /api/events and /api/customers, and puts
// every value in with textContent, so stored data is never parsed as HTML.
func page(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" && r.URL.Path != "/collector/" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
	w.Write([]byte(pageHTML))
}

const pageHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Collector</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.json { font: 12px ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }
#status { color: #666; margin-left: 1rem; }
</style>
</head>
<body>
<h1>Collector</h1>
<p><button id="reload" type="button">Reload</button><span id="status"></span></p>
<p id="stats"></p>
<h2>Events (latest 200)</h2>
<table id="events"><thead><tr>
<th>id</th><th>received</th><th>project</th><th>event_type</th><th>timestamp</th><th>customer_ids</th><th>properties</th><th>command_id</th>
</tr></thead><tbody></tbody></table>
<h2>Customer updates (latest 200)</h2>
<table id="customers"><thead><tr>
<th>id</th><th>received</th><th>project</th><th>customer_ids</th><th>properties</th><th>command_id</th>
</tr></thead><tbody></tbody></table>
<script>
"use strict";
const when = (s) => {
  const d = new Date(s * 1000);
  return isNaN(d) ? String(s) : d.toISOString().replace("T", " ").replace("Z", "");
};
const cell = (tr, text, cls) => {
  const td = tr.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
};
const fill = (id, rows, cols) => {
  const body = document.querySelector("#" + id + " tbody");
  body.replaceChildren();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const [get, cls] of cols) cell(tr, get(row), cls);
  }
};
const json = (v) => JSON.stringify(v, null, 1);
async function load() {
  const status = document.getElementById("status");
  status.textContent = "loading…";
  try {
    const [ev, cu, st] = await Promise.all(
      ["/api/events?order=desc&limit=200", "/api/customers?order=desc&limit=200", "/api/stats"]
        .map((u) => fetch(u, { cache: "no-store" }).then((r) => r.json())));
    fill("events", ev.events, [[(e) => e.id], [(e) => when(e.received_at)], [(e) => e.project],
      [(e) => e.event_type], [(e) => when(e.timestamp)], [(e) => json(e.customer_ids), "json"],
      [(e) => json(e.properties), "json"], [(e) => e.command_id ?? ""]]);
    fill("customers", cu.customers, [[(c) => c.id], [(c) => when(c.received_at)], [(c) => c.project],
      [(c) => json(c.customer_ids), "json"], [(c) => json(c.properties), "json"], [(c) => c.command_id ?? ""]]);
    document.getElementById("stats").textContent =
      st.events + " events, " + st.customers + " customer updates, " + st.commands_received +
      " commands received (" + st.duplicates_received + " duplicates), " + st.requests + " tracking requests";
    status.textContent = "updated " + new Date().toLocaleTimeString();
  } catch (err) {
    status.textContent = "failed: " + err;
  }
}
document.getElementById("reload").addEventListener("click", load);
load();
</script>
</body>
</html>
`
