// @segment/analytics-next, settings inline (no CDN fetch), batching to the sink.
import { AnalyticsBrowser } from '@segment/analytics-next'
import { props } from './_props.js'

let analytics
window.benchPeer = {
  async init({ sink, run }) {
    this.run = run
    // apiHost without scheme: the plugin prepends `protocol`.
    const apiHost = sink.replace(/^https?:\/\//, '') + '/segment'
    analytics = AnalyticsBrowser.load(
      {
        writeKey: 'bench-key',
        cdnSettings: {
          integrations: {
            'Segment.io': {
              apiKey: 'bench-key',
              apiHost,
              protocol: 'http',
              // Default batch size (10); the 250 ms flush matches the others.
              deliveryStrategy: { strategy: 'batching', config: { timeout: 250 } },
            },
          },
          remotePlugins: [],
          // Its own telemetry (to api.segment.io) off.
          metrics: { sampleRate: 0 },
        },
      },
      { initialPageview: false },
    )
    await analytics.ready()
  },
  track(seq, phase) { analytics.track('bench', props(this.run, phase, seq)) },
}
