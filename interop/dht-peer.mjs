// js-libp2p peer for Amalgam's DHT and gossipsub interop tests. Reads one command per line on
// stdin and prints one result line per command on stdout (and MSG lines as messages arrive):
//   LISTENING <multiaddr>                     once ready
//   dial <multiaddr>                       -> DIALED <peer>
//   routing                                -> ROUTING <size>
//   provide <hex multihash>                -> PROVIDED
//   findprov <hex multihash> <peer>        -> PROVIDERS <id,id,...> (stops once <peer> is found)
//   put <key> <value>                      -> PUT   (UTF-8 key and value)
//   get <key>                              -> VALUE <utf8>
//   sub <topic>                            -> SUBSCRIBED, then MSG <topic> <from> <data> per message
//   waitsub <topic> <peer>                 -> PEERSUB once <peer> is a known subscriber
//   pub <topic> <data>                     -> PUBLISHED <recipients>
// Failures print ERROR <command>: <message>. The namespace 'amalgam' accepts any non-empty value
// up to 1024 bytes and selects the byte-wise greatest value, like Java's OpaqueValidator.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { gossipsub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { createInterface } from 'node:readline'

const out = (line) => process.stdout.write(line + '\n')
const enc = new TextEncoder()
const dec = new TextDecoder()

function compareBytes (a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i]
  }
  return a.length - b.length
}

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    identifyPush: identifyPush(),
    ping: ping(),
    dht: kadDHT({
      protocol: '/amalgam/kad/1.0.0',
      clientMode: false,
      peerInfoMapper: passthroughMapper,
      validators: {
        amalgam: async (key, value) => {
          if (value.length === 0 || value.length > 1024) throw new Error('bad amalgam record size')
        }
      },
      selectors: {
        amalgam: (key, values) => {
          let best = 0
          for (let i = 1; i < values.length; i++) if (compareBytes(values[i], values[best]) > 0) best = i
          return best
        }
      }
    }),
    pubsub: gossipsub({ emitSelf: false })
  }
})

const cidOf = (hex) => CID.decode(Uint8Array.from(Buffer.from(hex, 'hex')))
const pubsub = node.services.pubsub
pubsub.addEventListener('message', (e) => {
  const m = e.detail
  out(`MSG ${m.topic} ${m.from} ${dec.decode(m.data)}`)
})

async function run (cmd, args) {
  switch (cmd) {
    case 'dial': {
      const c = await node.dial(multiaddr(args[0]))
      return `DIALED ${c.remotePeer}`
    }
    case 'routing':
      return `ROUTING ${node.services.dht.routingTable.size}`
    case 'provide':
      for await (const ev of node.services.dht.provide(cidOf(args[0]), { signal: AbortSignal.timeout(15000) })) {
        void ev
      }
      return 'PROVIDED'
    case 'findprov': {
      const found = new Set()
      for await (const ev of node.services.dht.findProviders(cidOf(args[0]), { signal: AbortSignal.timeout(15000) })) {
        if (ev.name === 'PROVIDER') {
          for (const p of ev.providers) found.add(p.id.toString())
          if (found.has(args[1])) break
        }
      }
      return `PROVIDERS ${[...found].join(',')}`
    }
    case 'put':
      for await (const ev of node.services.dht.put(enc.encode(args[0]), enc.encode(args[1]), { signal: AbortSignal.timeout(15000) })) {
        void ev
      }
      return 'PUT'
    case 'get': {
      let value = null
      for await (const ev of node.services.dht.get(enc.encode(args[0]), { signal: AbortSignal.timeout(15000) })) {
        if (ev.name === 'VALUE') value = ev.value
      }
      if (value == null) throw new Error('no value found')
      return `VALUE ${dec.decode(value)}`
    }
    case 'sub':
      pubsub.subscribe(args[0])
      return 'SUBSCRIBED'
    case 'waitsub':
      for (let i = 0; i < 600; i++) {
        if (pubsub.getSubscribers(args[0]).some((p) => p.toString() === args[1])) return 'PEERSUB'
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      throw new Error(`${args[1]} never subscribed to ${args[0]}`)
    case 'pub': {
      const r = await pubsub.publish(args[0], enc.encode(args.slice(1).join(' ')))
      return `PUBLISHED ${r.recipients.length}`
    }
    default:
      throw new Error('unknown command')
  }
}

out(`LISTENING ${node.getMultiaddrs()[0]}`)
const rl = createInterface({ input: process.stdin })
let chain = Promise.resolve()
rl.on('line', (line) => {
  const [cmd, ...args] = line.trim().split(' ')
  if (!cmd) return
  chain = chain.then(async () => {
    try {
      out(await run(cmd, args))
    } catch (err) {
      out(`ERROR ${cmd}: ${err.message}`)
    }
  })
})
rl.on('close', async () => {
  await chain
  await node.stop()
  process.exit(0)
})
