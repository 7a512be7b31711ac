// A Worker for the harness's own test (harness.test.mjs): on a message it
// writes an error to the console, fetches a page and answers.
onmessage = async () => {
  console.error('worker errs')
  await fetch('/index.html')
  postMessage('done')
}
