// The --disable-features flag of every Chromium the suites and the bench
// launch. No imports: bench/ (its own package) loads it too.
//
// A Playwright context is a browser window of its own, and Chromium 156
// builds each new window's omnibox popup in a renderer of its own ("WebUI
// Top Renderer", chrome://omnibox-popup.top-chrome/). It starts ~0.1 s after
// the window's first page opens and keeps a core busy for ~0.5 s (its main
// thread ~480 ms, its thread pool as much again; a Chromium trace of a cold
// start of the SDK, measured on a 2-core machine), right when a test or a
// measurement runs. A visitor's page load does not pay that: their window
// and its omnibox exist already. The two features below turn it off (either
// alone does not).
//
// Chromium keeps only the last --disable-features it is given, and
// Playwright passes its own list first, so ours repeats Playwright's
// (playwright-core 1.65.1). e2e/platform.test.mjs reads chrome://version and
// fails when Playwright disables a feature this list lacks.
export const playwrightDisabled = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable', 'LensOverlay', 'MediaRouter', 'PaintHolding',
  'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect', 'TcpPortRandomizationWin',
  'OptimizationHints', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
  'msForceBrowserSignIn', 'msEdgeUpdateLaunchServicesPreferredVersion',
]

export const ownDisabled = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup']

export const disableFeatures = '--disable-features=' + [...playwrightDisabled, ...ownDisabled].join(',')
