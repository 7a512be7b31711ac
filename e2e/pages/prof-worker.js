// profiling aid (temporary)
self.__log = []
const t = () => performance.now().toFixed(1)
const of = self.fetch
self.fetch = function (u, init) { const s = t(); self.__log.push(['fetch>', s]); return of.apply(this, arguments).then((r) => { self.__log.push(['fetch<', t(), s]); return r }) }
const ot = IDBDatabase.prototype.transaction
IDBDatabase.prototype.transaction = function (scope, mode) {
  const tx = ot.apply(this, arguments); const s = t(); const name = [].concat(scope).join('+') + ':' + mode
  tx.addEventListener('complete', () => self.__log.push(['tx', name, s, t()])); return tx
}
const opm = self.postMessage.bind(self)
self.postMessage = (m) => { if (m && m.t === 'done') self.__log.push(['done', t()]); if (m && m.t === 'dump') return; opm(m) }
self.addEventListener('message', (e) => { if (typeof e.data === 'string') self.__log.push(['apply', t(), e.data.split('\n').length]); if (e.data && e.data.t === 'dump') opm({ t: 'emit', kind: '_dump', detail: JSON.stringify(self.__log) }) })
importScripts('/dist/exponea.worker.js')
