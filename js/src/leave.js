// Knowing when the page leaves for another page of its own site. A call
// made right before such a navigation (a click tracked, then the link
// followed) is best sent by the next page, which hands over the page's
// journal: sent from this page as well, at close with keepalive, it would
// reach the server twice, since neither page can know whether the close-time
// request arrived, and a backend that does not dedupe (Bloomreach's) would
// count it twice.
//
// The Navigation API's navigate event names every navigation's destination
// (a link, a form, location.href = ..., history traversal, a reload). Where
// an engine has no Navigation API (WebKit), the links and forms the visitor
// follows are seen; a navigation made by script is not.

// watchLeaving calls onLeave() in the task in which the page starts a
// navigation to another document of its origin, and onStay() if a later
// listener of the Navigation API's event cancelled it or kept the page (a
// router's intercept). It returns how it watches: 'navigation' (every
// navigation) or 'links' (links and forms only).
export function watchLeaving(onLeave, onStay) {
  const nav = globalThis.navigation
  const api = !!(nav && typeof nav.addEventListener === 'function')
  if (api) {
    nav.addEventListener('navigate', (e) => {
      if (e.destination.sameDocument || e.downloadRequest || !ownOrigin(e.destination.url)) return
      onLeave()
      setTimeout(() => { if (e.defaultPrevented || nav.transition) onStay() }, 0)
    })
    // A navigation a router intercepted ends here, in this document (a
    // navigation to another document ends the document first): the page
    // stays, whenever the router's handler settles.
    nav.addEventListener('navigatesuccess', () => onStay())
    nav.addEventListener('navigateerror', () => onStay())
  }
  // Links and forms in every engine: the click or the submit is seen in
  // the task the visitor made it, where an engine may fire navigate for it
  // in a later one (Firefox). Last in the bubbling, so a handler of the
  // page's that cancels the click or the submit has done so.
  addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    const a = e.target && e.target.closest ? e.target.closest('a[href], area[href]') : null
    if (!a || a.hasAttribute('download') || !ownWindow(a.target) || !ownOrigin(a.href) || sameDocument(a.href)) return
    onLeave()
  })
  addEventListener('submit', (e) => {
    const form = e.target
    if (e.defaultPrevented || !form || typeof form.action !== 'string') return
    const by = e.submitter
    const method = ((by && by.getAttribute('formmethod')) || form.method || 'get').toLowerCase()
    const target = by && by.hasAttribute('formtarget') ? by.getAttribute('formtarget') : form.target
    const action = (by && by.hasAttribute('formaction') && by.formAction) || form.action
    if (method === 'dialog' || !ownWindow(target) || !ownOrigin(action)) return
    onLeave()
  })
  return api ? 'navigation' : 'links'
}

function ownOrigin(url) {
  try {
    return new URL(url, location.href).origin === location.origin
  } catch {
    return false
  }
}

// sameDocument: a link to a fragment of this page.
function sameDocument(url) {
  const u = new URL(url, location.href)
  return u.hash !== '' && u.href.slice(0, u.href.length - u.hash.length) === location.href.replace(/#.*$/, '')
}

function ownWindow(target) {
  return !target || target === '_self' || (window === window.top && (target === '_top' || target === '_parent'))
}
