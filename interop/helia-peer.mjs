// Helia (js IPFS) peer for Amalgam's bitswap interop tests, on loopback only. Reads commands on stdin,
// prints one line per event on stdout:
//   LISTENING <multiaddr>                     once ready
//   PUT <cid> <bytes> <sha256hex>             after `put <bytes> <count>` (count raw blocks of random bytes)
//   GOT <cid> <bytes> <sha256hex> <ms>        after `get <multiaddr> <cid>...` (each block fetched over bitswap)
//   ERROR <message>                           on any failure
// Usage: node helia-peer.mjs
import { createHelia } from 'helia'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { createHash, randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'

const out = (line) => process.stdout.write(line + '\n')
const hex = (bytes) => createHash('sha256').update(bytes).digest('hex')

const helia = await createHelia({
  libp2p: {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    services: { identify: identify(), identifyPush: identifyPush(), ping: ping() }
  },
  // no delegated routers or public gateways: everything stays on loopback
  http: { delegatedRouters: [], recursiveGateways: [] }
})
await helia.start()
out(`LISTENING ${helia.libp2p.getMultiaddrs()[0]}`)

async function put (size, count) {
  for (let i = 0; i < count; i++) {
    const bytes = randomBytes(size)
    const cid = CID.createV1(raw.code, await sha256.digest(bytes))
    await helia.blockstore.put(cid, bytes)
    out(`PUT ${cid} ${size} ${hex(bytes)}`)
  }
}

async function get (addr, cids) {
  await helia.libp2p.dial(multiaddr(addr))
  await Promise.all(cids.map(async (text) => {
    const start = performance.now()
    const chunks = []
    for await (const chunk of helia.blockstore.get(CID.parse(text), { signal: AbortSignal.timeout(30000) })) {
      chunks.push(chunk)
    }
    const bytes = Buffer.concat(chunks)
    out(`GOT ${text} ${bytes.length} ${hex(bytes)} ${Math.round(performance.now() - start)}`)
  }))
}

const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  const [cmd, ...args] = line.trim().split(/\s+/)
  try {
    if (cmd === 'put') await put(Number(args[0]), Number(args[1] ?? 1))
    else if (cmd === 'get') await get(args[0], args.slice(1))
    else if (cmd === 'quit') break
    else if (cmd !== '') out(`ERROR unknown command ${cmd}`)
  } catch (err) {
    out(`ERROR ${cmd}: ${err.message}`)
  }
}
await helia.stop()
process.exit(0)
