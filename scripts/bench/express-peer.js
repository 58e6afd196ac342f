#!/usr/bin/env node
/**
 * The bench's reference: a bare Express 5 app (a child process of `npm run bench`) that serves the bytes
 * posthog-mock answered, captured beforehand, as static strings, and answers writes the way a hand-written
 * stub would: parse the JSON body, answer it back (201 for a create, 200 with the captured object merged
 * with the body for a PATCH). No validation, no store, no auth, no ETag (the mock sends none either).
 *
 *   node scripts/bench/express-peer.js <captured.json>
 *
 * captured.json: { gets: [{ url, status, contentType, body }], creates: [path], patches: [{ path, object }] }
 * Prints `listening on http://127.0.0.1:<port>` once it listens (port 0: the system picks one).
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const express = require('express');

const captured = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const app = express();
app.set('etag', false);
app.set('x-powered-by', false);

// one route per path; the query string picks the captured answer (a list and a search share a path)
const byPath = new Map();
for (const get of captured.gets) {
  const path = get.url.split('?')[0];
  if (!byPath.has(path)) byPath.set(path, new Map());
  byPath.get(path).set(get.url, get);
}
for (const [path, answers] of byPath) {
  app.get(path, (req, res) => {
    const answer = answers.get(req.originalUrl);
    if (!answer) return res.status(404).json({ detail: 'Not found.' });
    res.status(answer.status).type(answer.contentType).send(answer.body);
  });
}
for (const path of captured.creates) {
  app.post(path, express.json(), (req, res) => {
    res.status(201).json({ id: crypto.randomUUID(), ...req.body, created_at: new Date().toISOString() });
  });
}
for (const { path, object } of captured.patches) {
  app.patch(path, express.json(), (req, res) => {
    res.json({ ...object, properties: { ...object.properties, ...(req.body.properties || {}) } });
  });
}

const server = app.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
