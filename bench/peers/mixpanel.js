// mixpanel-browser: the core entry (the default one bundles a session
// recorder), JSON payloads, batching with a 250 ms flush.
import mixpanel from 'mixpanel-browser/src/loaders/loader-module-core'
import { props } from './_props.js'

window.benchPeer = {
  init({ sink, run }) {
    this.run = run
    return new Promise((resolve) => {
      mixpanel.init('bench-token', {
        api_host: sink + '/mixpanel',
        api_payload_format: 'json',
        batch_requests: true,
        batch_flush_interval_ms: 250, // default batch_size (50) kept
        track_pageview: false,
        autocapture: false,
        loaded: () => resolve(),
      })
    })
  },
  track(seq, phase) { mixpanel.track('bench', props(this.run, phase, seq)) },
}
