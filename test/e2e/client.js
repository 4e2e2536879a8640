/*
 * Runs INSIDE the private network namespace, next to nginx: plays the Istio
 * sidecar's part of mutual TLS origination (connect to the endpoint, send the
 * DestinationRule's SNI, present the credential, verify the server against the
 * credential's ca.crt) and records what happened for each case.
 *
 *   NGINX_PID=<pid> node client.js CONFIG.json RESULT.json
 *
 * CONFIG: { port, hostHeader, sni, waitMs, pidFile?, cases: [{ name, cert?, key?, ca }] } (PEM file paths)
 * RESULT: { ready, cases: { <name>: { status, body, authorized, authorizationError,
 *           serverIdentityError, peerCertificate (base64 DER), protocol, error } } }
 */
'use strict';
const fs = require('node:fs');
const https = require('node:https');
const net = require('node:net');
const tls = require('node:tls');

const [configFile, resultFile] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
const read = (f) => (f ? fs.readFileSync(f) : undefined);

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => { s.destroy(); resolve(false); });
  });
}

const alive = (pid) => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the port accepts connections. Gives up early when nginx has exited, or shortly after
 * nginx wrote its pid file (it does so once its listening sockets are open) without the port opening.
 */
async function waitForPort(port, waitMs) {
  const nginxPid = Number(process.env.NGINX_PID || 0);
  let deadline = Date.now() + waitMs;
  let sawPidFile = false;
  for (;;) {
    if (await canConnect(port)) return true;
    if (nginxPid && !alive(nginxPid)) return false;
    if (!sawPidFile && config.pidFile && fs.existsSync(config.pidFile)) {
      sawPidFile = true;
      deadline = Math.min(deadline, Date.now() + 500);
    }
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}

function request(c) {
  return new Promise((resolve) => {
    const out = {};
    const req = https.request({
      host: '127.0.0.1',
      port: config.port,
      method: 'GET',
      path: '/',
      headers: { Host: config.hostHeader, 'User-Agent': 'e2e-sidecar-stand-in' },
      servername: config.sni,
      ca: read(c.ca),
      cert: read(c.cert),
      key: read(c.key),
      rejectUnauthorized: true,
      agent: false,
      checkServerIdentity: (hostname, cert) => {
        const err = tls.checkServerIdentity(hostname, cert);
        out.checkedHostname = hostname;
        out.serverIdentityError = err ? err.message : null;
        return err;
      },
      timeout: 5000,
    }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        out.status = res.statusCode;
        out.body = Buffer.concat(chunks).toString('utf8');
        resolve(out);
      });
    });
    req.on('socket', (socket) => {
      socket.on('secureConnect', () => {
        out.authorized = socket.authorized;
        out.authorizationError = socket.authorizationError ? String(socket.authorizationError) : null;
        out.protocol = socket.getProtocol();
        const peer = socket.getPeerCertificate();
        out.peerCertificate = peer && peer.raw ? peer.raw.toString('base64') : null;
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => { out.error = `${e.code || ''} ${e.message}`.trim(); resolve(out); });
    req.end();
  });
}

(async () => {
  const result = { ready: await waitForPort(config.port, config.waitMs || 5000), cases: {} };
  if (result.ready) {
    for (const c of config.cases) result.cases[c.name] = await request(c);
  }
  fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
})().catch((e) => {
  fs.writeFileSync(resultFile, JSON.stringify({ ready: false, fatal: String(e && e.stack || e) }));
  process.exitCode = 1;
});
