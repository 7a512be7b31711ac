// A Worker's script as the page's observer starts it: the observer first,
// then the script the page asked for (?src=).
importScripts('/observe.js')
importScripts(new URL(location.href).searchParams.get('src'))
