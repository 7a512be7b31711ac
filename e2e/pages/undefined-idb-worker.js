// A Worker without indexedDB at all: the test points config.workerUrl here.
Object.defineProperty(self, 'indexedDB', { value: undefined, configurable: true })
importScripts('/dist/exponea.worker.js')
