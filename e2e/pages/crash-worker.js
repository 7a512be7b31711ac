// The SDK's worker script, which ends itself when a page of the test posts
// {t: 'test:crash'}: as a crash ends a worker, with no message and no event
// to its pages (close() drops the worker's tasks, its Go program, its
// requests and transactions under way). The test points config.workerUrl
// here. Every port's messages reach this listener as well as the SDK's.
const crash = (e) => { if (e.data && e.data.t === 'test:crash') self.close() }
if (typeof SharedWorkerGlobalScope === 'function' && self instanceof SharedWorkerGlobalScope) {
  self.addEventListener('connect', (e) => e.ports[0].addEventListener('message', crash))
} else {
  self.addEventListener('message', crash)
}
importScripts('/dist/exponea.worker.js')
