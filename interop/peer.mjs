// js-libp2p peer for Amalgam's interop tests. One line per event on stdout:
//   LISTENING <multiaddr>        (listen mode, once ready)
//   IDENTIFY <peer> protocols=<a,b> addrs=<a,b> agent=<agent> spr=<addresses of its signed peer record>|none
//   PING <ms> | ECHO <bytes> ok|mismatch | CONCURRENT <n> ok|fail | SEND <bytes> <ms> | ERROR <msg> | DONE
// Usage: node peer.mjs listen
//        node peer.mjs dial <multiaddr> <op>...   ops: ping identify echo:<bytes> concurrent:<n>:<bytes> send:<bytes>
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { createHash, randomBytes } from 'node:crypto'

const ECHO = '/amalgam/echo/1.0.0'
const SINK = '/amalgam/sink/1.0.0'
const out = (line) => process.stdout.write(line + '\n')

const node = await createLibp2p({
  addresses: { listen: process.argv[2] === 'listen' ? ['/ip4/127.0.0.1/tcp/0'] : [] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), identifyPush: identifyPush(), ping: ping() }
})

node.addEventListener('peer:identify', (e) => {
  const r = e.detail
  out(`IDENTIFY ${r.peerId} protocols=${r.protocols.join(',')} addrs=${r.listenAddrs.map(String).join(',')} agent=${r.agentVersion} spr=${r.signedPeerRecord == null ? 'none' : r.signedPeerRecord.addresses.map(String).join(',')}`)
})

await node.handle(ECHO, async (stream) => {
  try {
    for await (const chunk of stream) {
      if (!stream.send(chunk.subarray())) await stream.onDrain()
    }
    await stream.close()
  } catch (err) {
    stream.abort(err)
  }
}, { maxInboundStreams: 256, maxOutboundStreams: 256 })

await node.handle(SINK, async (stream) => {
  try {
    for await (const chunk of stream) { chunk.subarray() }
    await stream.close()
  } catch (err) {
    stream.abort(err)
  }
})

// Sends `size` bytes on one stream and waits for the peer to finish reading; returns milliseconds.
async function sendTimed (conn, size) {
  const chunk = randomBytes(65536)
  const start = performance.now()
  const stream = await conn.newStream(SINK)
  let left = size
  while (left > 0) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left)
    left -= piece.length
    if (!stream.send(piece)) await stream.onDrain()
  }
  await stream.close()
  for await (const c of stream) { c.subarray() }
  return performance.now() - start
}

async function echoRoundTrip (conn, size) {
  const stream = await conn.newStream(ECHO, { maxOutboundStreams: 256 })
  const sent = createHash('sha256')
  const got = createHash('sha256')
  let received = 0
  const reader = (async () => {
    for await (const chunk of stream) {
      const b = chunk.subarray()
      got.update(b)
      received += b.length
    }
  })()
  let left = size
  while (left > 0) {
    const chunk = randomBytes(Math.min(65536, left))
    sent.update(chunk)
    left -= chunk.length
    if (!stream.send(chunk)) await stream.onDrain()
  }
  await stream.close()
  await reader
  return received === size && sent.digest('hex') === got.digest('hex')
}

async function run (addr, ops) {
  const target = multiaddr(addr)
  const conn = await node.dial(target)
  for (const op of ops) {
    const [name, a, b] = op.split(':')
    if (name === 'ping') {
      out(`PING ${await node.services.ping.ping(target)}`)
    } else if (name === 'identify') {
      // peer:identify prints the result; wait until the peer store has the protocols
      for (let i = 0; i < 200; i++) {
        const p = await node.peerStore.get(conn.remotePeer).catch(() => null)
        if (p != null && p.protocols.length > 0) break
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    } else if (name === 'echo') {
      out(`ECHO ${a} ${(await echoRoundTrip(conn, Number(a))) ? 'ok' : 'mismatch'}`)
    } else if (name === 'send') {
      out(`SEND ${a} ${(await sendTimed(conn, Number(a))).toFixed(1)}`)
    } else if (name === 'concurrent') {
      const results = await Promise.all(Array.from({ length: Number(a) }, () => echoRoundTrip(conn, Number(b))))
      out(`CONCURRENT ${a} ${results.every(Boolean) ? 'ok' : 'fail'}`)
    } else {
      throw new Error(`unknown op ${op}`)
    }
  }
}

if (process.argv[2] === 'listen') {
  out(`LISTENING ${node.getMultiaddrs()[0]}`)
  process.stdin.resume()
  process.stdin.on('end', async () => { await node.stop(); process.exit(0) })
} else if (process.argv[2] === 'dial') {
  try {
    await run(process.argv[3], process.argv.slice(4))
    out('DONE')
  } catch (err) {
    out(`ERROR ${String(err?.message ?? err).replace(/\n/g, ' ')}`)
  }
  await node.stop()
  process.exit(0)
} else {
  process.stderr.write('usage: node peer.mjs listen | dial <multiaddr> <op>...\n')
  process.exit(2)
}
