// posthog-js: flags, remote scripts and every self-sending feature off,
// JSON bodies (no compression), batching at its 250 ms minimum.
import posthog from 'posthog-js'
import { props } from './_props.js'

window.benchPeer = {
  init({ sink, run }) {
    this.run = run
    return new Promise((resolve) => {
      posthog.init('phc_bench', {
        api_host: sink + '/posthog',
        advanced_disable_flags: true,
        disable_compression: true,
        request_batching: true,
        request_queue_config: { flush_interval_ms: 250 },
        // Headless Chromium sets navigator.webdriver: without this every event is dropped.
        opt_out_useragent_filter: true,
        // The client rate limit (10/s, burst 100) would drop most of a 10k burst.
        rate_limiting: { events_per_second: 100000, events_burst_limit: 100000 },
        // Nothing lazily loaded from /static, nothing sent on its own.
        disable_external_dependency_loading: true,
        autocapture: false,
        capture_pageview: false,
        capture_pageleave: false,
        disable_session_recording: true,
        disable_surveys: true,
        disable_web_experiments: true,
        disable_product_tours: true,
        disable_conversations: true,
        capture_performance: false,
        capture_exceptions: false,
        capture_dead_clicks: false,
        capture_heatmaps: false,
        advanced_disable_toolbar_metrics: true,
        loaded: () => resolve(),
      })
    })
  },
  track(seq, phase) { posthog.capture('bench', props(this.run, phase, seq)) },
}
