// @rudderstack/analytics-js: the /bundled export (the default one fetches its
// delivery plugins from the vendor's CDN), source config inline, all URLs at
// the sink, batching on.
import { RudderAnalytics } from '@rudderstack/analytics-js/bundled'
import { props } from './_props.js'

const ra = new RudderAnalytics()
window.benchPeer = {
  init({ sink, run }) {
    this.run = run
    const base = sink + '/rudder'
    return new Promise((resolve) => {
      ra.load('bench-key', base, {
        getSourceConfig: () => ({
          source: {
            id: 'bench', name: 'bench', workspaceId: 'bench', enabled: true,
            config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
            destinations: [],
          },
        }),
        configUrl: base,
        destSDKBaseURL: base + '/cdn',
        pluginsSDKBaseURL: base + '/plugins',
        polyfillIfRequired: false,
        loadIntegration: false,
        // Default batch limits kept; the 250 ms flush matches the others.
        queueOptions: { batch: { enabled: true, flushInterval: 250 } },
        logLevel: 'ERROR',
      })
      ra.ready(() => resolve())
    })
  },
  track(seq, phase) { ra.track('bench', props(this.run, phase, seq)) },
}
