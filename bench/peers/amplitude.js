// @amplitude/analytics-browser: all traffic to the sink, no remote config,
// autocapture and diagnostics off.
import * as amplitude from '@amplitude/analytics-browser'
import { props } from './_props.js'

window.benchPeer = {
  async init({ sink, run }) {
    this.run = run
    await amplitude.init('bench-key', undefined, {
      serverUrl: sink + '/amplitude/2/httpapi',
      flushIntervalMillis: 250, // default flushQueueSize (30) kept
      autocapture: false,
      fetchRemoteConfig: false,
      enableDiagnostics: false,
      logLevel: 0,
    }).promise
  },
  track(seq, phase) { amplitude.track('bench', props(this.run, phase, seq)) },
}
