#!/usr/bin/env node
// `npm start`: serves the production build in dist/ on 127.0.0.1 and prints the URL.
import { preview } from 'vite';

const port = Number(process.env.PORT ?? 5173);
const server = await preview({ preview: { host: '127.0.0.1', port, strictPort: false } });
const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
console.log(`\nReconcile Lab is running at ${url}\nPress Ctrl+C to stop.\n`);
