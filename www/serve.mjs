#!/usr/bin/env node
// The agentwire playground: a tiny static server (Node built-ins only) that serves www/ at `/`
// and the built package pkg/ at `/pkg/`, and starts the local platform in-process.
//
//   node www/serve.mjs [--port N] [--platform-port M] [--no-platform] [--platform-url URL]
//
// Prints two lines when ready:
//   playground: http://127.0.0.1:N/
//   platform:   http://127.0.0.1:M
//
// In-process (tests): const pg = await startPlayground({ port: 0, platformPort: 0 });
//   pg.url, pg.platformUrl, pg.platform (the startPlatform handle or null), await pg.close()

import http from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startPlatform } from './platform/server.mjs';

const WWW = dirname(fileURLToPath(import.meta.url));
const PKG = join(WWW, '..', 'pkg');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

// Only these top-level parts of www/ are served (the platform's source is not a web page).
const WWW_FILES = new Set(['/index.html', '/app.js', '/style.css']);

function resolveFile(urlPath) {
  let path;
  try { path = decodeURIComponent(urlPath); } catch { return null; }
  if (path.includes('\0')) return null;
  if (path === '/') path = '/index.html';
  if (path.startsWith('/pkg/')) {
    const rel = normalize(path.slice('/pkg/'.length));
    if (rel.startsWith('..') || rel.includes(`..${sep}`) || rel === '') return null;
    return join(PKG, rel);
  }
  return WWW_FILES.has(path) ? join(WWW, path.slice(1)) : null;
}

function send(res, status, type, body, extra = {}) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra });
  res.end(body);
}

/**
 * Starts the playground server and (unless `platformUrl` is given or `platform: false`) the local
 * platform. Resolves to { url, port, platformUrl, platform, server, close() }.
 */
export async function startPlayground({ port = 0, platformPort = 0, platformUrl, platform: wantPlatform = true, host = '127.0.0.1' } = {}) {
  let platform = null;
  if (!platformUrl && wantPlatform) {
    platform = await startPlatform({ port: platformPort });
    platformUrl = platform.url;
  }
  const config = JSON.stringify({ platformUrl: platformUrl ?? '' });
  const sockets = new Set();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' });
    }
    if (url.pathname === '/config.json') return send(res, 200, TYPES['.json'], config);
    if (url.pathname === '/favicon.ico') { res.writeHead(204); return res.end(); }
    const file = resolveFile(url.pathname);
    if (!file) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    try {
      const st = await stat(file);
      if (!st.isFile()) throw new Error('not a file');
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': st.size,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    } catch {
      const hint = url.pathname.startsWith('/pkg/') ? 'not found (build the package first: scripts/build.sh)\n' : 'not found\n';
      send(res, 404, 'text/plain; charset=utf-8', hint);
    }
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const actualPort = server.address().port;
  let closing = null;
  return {
    url: `http://${host}:${actualPort}/`,
    port: actualPort,
    platformUrl,
    platform,
    server,
    close() {
      if (!closing) {
        closing = (async () => {
          await new Promise((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections?.();
            for (const s of sockets) s.destroy();
          });
          if (platform) await platform.close();
        })();
      }
      return closing;
    },
  };
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    let [name, value] = argv[i].split('=', 2);
    const takes = ['--port', '--platform-port', '--platform-url'].includes(name);
    if (takes && value === undefined) value = argv[++i];
    if (name === '--port') out.port = Number(value);
    else if (name === '--platform-port') out.platformPort = Number(value);
    else if (name === '--platform-url') out.platformUrl = value;
    else if (name === '--no-platform') out.platform = false;
    else if (name === '-h' || name === '--help') {
      console.log('usage: node www/serve.mjs [--port N] [--platform-port M] [--platform-url URL] [--no-platform]');
      process.exit(0);
    } else {
      console.error(`serve.mjs: unknown argument ${argv[i]}`);
      process.exit(2);
    }
  }
  for (const k of ['port', 'platformPort']) {
    if (out[k] !== undefined && !(Number.isInteger(out[k]) && out[k] >= 0 && out[k] < 65536)) {
      console.error(`serve.mjs: --${k === 'port' ? 'port' : 'platform-port'} must be a port number`);
      process.exit(2);
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const pg = await startPlayground(parseArgs(process.argv.slice(2)));
  console.log(`playground: ${pg.url}`);
  console.log(`platform:   ${pg.platformUrl || '(none)'}`);
  const stop = () => { pg.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
