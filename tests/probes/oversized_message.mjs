// Probe: a gRPC request whose length prefix claims 4 GiB, then a stream of bytes, sent over raw
// HTTP/2 (Node's http2) as an attacker would, while the server's memory is watched.
// Usage: node oversized_message.mjs HOST:PORT TOKEN_FILE PID [MEBIBYTES_TO_SEND]
// Prints how much was sent before the server refused, its RSS before and at the peak, and the
// status; exits 1 if the server took more than LIMIT_MIB of memory or never refused.
import http2 from 'node:http2';
import fs from 'node:fs';

const [address, tokenFile, pid, sendMib = '256'] = process.argv.slice(2);
const limitMib = Number(process.env.LIMIT_MIB ?? 128);
const token = fs.readFileSync(tokenFile, 'utf8').trim();
const rss = () => {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
};
const before = rss();
let peak = before;
const watcher = setInterval(() => { peak = Math.max(peak, rss()); }, 20);

const session = http2.connect(`http://${address}`);
const stream = session.request({
  ':method': 'POST', ':path': '/engagement.v1.LedgerService/AppendEvents',
  'content-type': 'application/grpc', te: 'trailers', authorization: `Bearer ${token}`,
});
let sent = 0, status = 'none', message = '';
stream.on('response', (headers) => { if (headers['grpc-status']) { status = headers['grpc-status']; message = headers['grpc-message'] ?? ''; } });
stream.on('trailers', (headers) => { status = headers['grpc-status']; message = decodeURIComponent(headers['grpc-message'] ?? ''); });
const prefix = Buffer.from([0, 0xff, 0xff, 0xff, 0xf0]);  // not compressed, 4 GiB - 16
const chunk = Buffer.alloc(1 << 20, 0x41);
const total = Number(sendMib);
let closed = false;
stream.on('close', () => { closed = true; });
stream.on('error', () => { closed = true; });
stream.write(prefix);
async function pump() {
  for (let i = 0; i < total && !closed; ++i) {
    const more = stream.write(chunk);
    sent += 1;
    if (!more) await new Promise((resolve) => { const t = setTimeout(resolve, 2000); stream.once('drain', () => { clearTimeout(t); resolve(); }); });
  }
}
await pump();
await new Promise((resolve) => setTimeout(resolve, 500));
peak = Math.max(peak, rss());
clearInterval(watcher);
session.destroy();
const grew = peak - before;
console.log(`sent ${sent} MiB of a 4 GiB message; server RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MiB (+${grew.toFixed(0)}); grpc-status ${status} ${message}; stream closed early: ${closed}`);
process.exit(grew > limitMib || (!closed && sent >= total) ? 1 : 0);
