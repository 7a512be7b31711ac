// A Worker whose IndexedDB refuses to open, as in a browser that blocks it:
// the test points config.workerUrl here.
IDBFactory.prototype.open = function () { throw new DOMException('blocked by a test', 'SecurityError') }
importScripts('/dist/exponea.worker.js')
