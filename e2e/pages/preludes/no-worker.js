// No Worker support (?prelude=no-worker).
delete window.Worker
