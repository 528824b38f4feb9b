/* Stands in for the built <herald-inbox> script (web/inbox/dist/inbox.js) in the infra tests. */
