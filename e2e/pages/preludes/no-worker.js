// No Worker support (?prelude=no-worker): neither kind.
delete window.Worker
delete window.SharedWorker
