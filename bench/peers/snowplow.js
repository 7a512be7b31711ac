// @snowplow/browser-tracker: POST to the sink, plain JSON (no base64).
import { newTracker, trackSelfDescribingEvent } from '@snowplow/browser-tracker'
import { props } from './_props.js'

window.benchPeer = {
  init({ sink, run, snowplowQueue }) {
    this.run = run
    newTracker('sp', sink + '/snowplow', {
      appId: 'bench',
      platform: 'web',
      eventMethod: 'post',
      encodeBase64: false,
      // The queue caps at 1,000 events by default and drops the rest of a 10k
      // burst. The localStorage queue rewrites all of itself on every event
      // (quadratic in a burst), so the queue is kept in memory, sized for it.
      useLocalStorage: snowplowQueue === 'localStorage',
      maxLocalStorageQueueSize: 200000,
    })
  },
  track(seq, phase) {
    trackSelfDescribingEvent({ event: { schema: 'iglu:com.example/bench/jsonschema/1-0-0', data: props(this.run, phase, seq) } })
  },
}
