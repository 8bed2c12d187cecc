// libsignal-client 0.103's version-4 figures for bench/run_v4_compare.sh
// (issue #15): the four operations of session_bench's BM_HushV4_* rows (PQXDH
// setup + first 256 B message decrypted, one-way 256 B and 4 KiB, ping-pong
// 256 B with a DH step every message), two in-memory devices in one process,
// encrypt + decrypt per message. Each figure includes the Node boundary
// (N-API calls and the async store callbacks); the "boundary" rows time an
// empty native call and an empty await to show how much that is.
//   node bench-signal.mjs [min seconds per row, default 1]   -> one JSON object on stdout
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const S = require('@signalapp/libsignal-client');

const minSeconds = Number(process.argv[2] ?? 1);
const name = (a) => `${a.name()}.${a.deviceId()}`;

class Identities extends S.IdentityKeyStore {
  constructor() {
    super();
    this.pair = S.IdentityKeyPair.generate();
    this.registrationId = 1 + Math.floor(Math.random() * 16380);
    this.known = new Map();
  }
  async getIdentityKey() { return this.pair.privateKey; }
  async getLocalRegistrationId() { return this.registrationId; }
  async saveIdentity(a, k) { this.known.set(name(a), k); return S.IdentityChange.NewOrUnchanged; }
  async isTrustedIdentity(a, k) { const old = this.known.get(name(a)); return !old || old.equals(k); }
  async getIdentity(a) { return this.known.get(name(a)) ?? null; }
}

// Records kept as Hush's v4 rows keep them (InMemorySessionStore::keep_parsed):
// serialized on every save, as a store that persists would, and the record
// last saved handed back on the next load instead of parsing the bytes.
class Sessions extends S.SessionStore {
  constructor() { super(); this.records = new Map(); this.parsed = new Map(); }
  async saveSession(a, r) { this.records.set(name(a), r.serialize()); this.parsed.set(name(a), r); }
  async getSession(a) {
    const kept = this.parsed.get(name(a));
    if (kept) return kept;
    const r = this.records.get(name(a));
    return r ? S.SessionRecord.deserialize(r) : null;
  }
  async getExistingSessions(as) { return Promise.all(as.map((a) => this.getSession(a))); }
}

class Records {
  constructor() { this.records = new Map(); }
  get(id) { if (!this.records.has(id)) throw new Error(`no record ${id}`); return this.records.get(id); }
}
class PreKeys extends S.PreKeyStore {
  constructor() { super(); this.r = new Records(); }
  async savePreKey(id, r) { this.r.records.set(id, r); }
  async getPreKey(id) { return this.r.get(id); }
  async removePreKey(id) { this.r.records.delete(id); }
}
class SignedPreKeys extends S.SignedPreKeyStore {
  constructor() { super(); this.r = new Records(); }
  async saveSignedPreKey(id, r) { this.r.records.set(id, r); }
  async getSignedPreKey(id) { return this.r.get(id); }
}
class KyberPreKeys extends S.KyberPreKeyStore {
  constructor() { super(); this.r = new Records(); }
  async saveKyberPreKey(id, r) { this.r.records.set(id, r); }
  async getKyberPreKey(id) { return this.r.get(id); }
  async markKyberPreKeyUsed(id) { this.r.records.delete(id); }
}

class Device {
  constructor(label) {
    this.address = S.ProtocolAddress.new(label, 1);
    this.identities = new Identities();
    this.sessions = new Sessions();
    this.preKeys = new PreKeys();
    this.signedPreKeys = new SignedPreKeys();
    this.kyberPreKeys = new KyberPreKeys();
    this.nextId = 1;
  }

  // A bundle with a one-time pre-key and a Kyber pre-key (PQXDH), its secrets stored.
  async bundle() {
    const id = this.nextId++;
    const pair = this.identities.pair;
    const pre = S.PrivateKey.generate();
    await this.preKeys.savePreKey(id, S.PreKeyRecord.new(id, pre.getPublicKey(), pre));
    const signed = S.PrivateKey.generate();
    const signedSig = pair.privateKey.sign(signed.getPublicKey().serialize());
    await this.signedPreKeys.saveSignedPreKey(id, S.SignedPreKeyRecord.new(id, Date.now(), signed.getPublicKey(), signed,
      signedSig));
    const kyber = S.KEMKeyPair.generate();
    const kyberSig = pair.privateKey.sign(kyber.getPublicKey().serialize());
    await this.kyberPreKeys.saveKyberPreKey(id, S.KyberPreKeyRecord.new(id, Date.now(), kyber, kyberSig));
    return S.PreKeyBundle.new(this.identities.registrationId, 1, id, pre.getPublicKey(), id, signed.getPublicKey(),
      signedSig, pair.publicKey, id, kyber.getPublicKey(), kyberSig);
  }

  async start(peer, bundle) {
    await S.processPreKeyBundle(bundle, peer.address, this.address, this.sessions, this.identities);
  }
}

// One message: encrypt at `from`, decrypt at `to`; returns the ciphertext message.
async function send(from, to, plaintext) {
  const m = await S.signalEncrypt(plaintext, to.address, from.address, from.sessions, from.identities);
  if (m.type() === S.CiphertextMessageType.PreKey) {
    await S.signalDecryptPreKey(S.PreKeySignalMessage.deserialize(m.serialize()), from.address, to.address,
      to.sessions, to.identities, to.preKeys, to.signedPreKeys, to.kyberPreKeys);
  } else {
    await S.signalDecrypt(S.SignalMessage.deserialize(m.serialize()), from.address, to.address, to.sessions,
      to.identities);
  }
  return m;
}

async function pair() {
  const alice = new Device('alice');
  const bob = new Device('bob');
  await alice.start(bob, await bob.bundle());
  const hi = new Uint8Array(16).fill(1);
  await send(alice, bob, hi);
  await send(bob, alice, hi);
  return { alice, bob };
}

// Runs `op` (async, returns the message or nothing) until minSeconds have
// passed, after a short warm-up; `prepare` runs untimed before each call.
async function measure(label, op, prepare = async () => {}) {
  for (let i = 0; i < 20; ++i) { await prepare(); await op(); }
  let iterations = 0;
  let ns = 0n;
  let bytes = 0;
  let spqrBytes = 0;
  let signalMessages = 0;
  while (ns < BigInt(Math.round(minSeconds * 1e9)) || iterations < 10) {
    await prepare();
    const t0 = process.hrtime.bigint();
    const m = await op();
    ns += process.hrtime.bigint() - t0;
    ++iterations;
    if (m) {
      const serialized = m.serialize();
      bytes += serialized.length;
      if (m.type() === S.CiphertextMessageType.Whisper) {
        spqrBytes += S.SignalMessage.deserialize(serialized).pqRatchet().length;
        ++signalMessages;
      }
    }
  }
  const row = { name: label, iterations, ns_per_op: Number(ns) / iterations };
  if (bytes) row.bytes_per_message = bytes / iterations;
  if (signalMessages) row.spqr_bytes_per_message = spqrBytes / signalMessages;
  return row;
}

const rows = [];

{
  const alice = new Device('alice');
  const bob = new Device('bob');
  const msg = new Uint8Array(256).fill(0x5a);
  let bundle;
  // The bundle is made ahead of time (a server hands it out), and each round
  // starts without session records, like BM_HushV4_Setup.
  rows.push(await measure('Setup', async () => {
    await alice.start(bob, bundle);
    return send(alice, bob, msg);
  }, async () => {
    alice.sessions.records.clear();
    alice.sessions.parsed.clear();
    bob.sessions.records.clear();
    bob.sessions.parsed.clear();
    bundle = await bob.bundle();
  }));
}
for (const size of [256, 4096]) {
  const { alice, bob } = await pair();
  const msg = new Uint8Array(size).fill(0x5a);
  rows.push(await measure(`OneWay/${size}`, () => send(alice, bob, msg)));
}
{
  const { alice, bob } = await pair();
  const msg = new Uint8Array(256).fill(0x5a);
  let aliceSends = true;
  rows.push(await measure('PingPong/256', () => {
    const m = aliceSends ? send(alice, bob, msg) : send(bob, alice, msg);
    aliceSends = !aliceSends;
    return m;
  }));
}

// The boundary: one native call that only reads a field (an N-API round
// trip), and one empty await (each store callback costs at least one). Too
// small to time one by one, so each is timed over a batch.
const address = S.ProtocolAddress.new('x', 1);
async function batch(label, op, awaited) {
  const n = 200000;
  for (let i = 0; i < 1000; ++i) if (awaited) await op(); else op();
  const t0 = process.hrtime.bigint();
  if (awaited) for (let i = 0; i < n; ++i) await op();
  else for (let i = 0; i < n; ++i) op();
  return { name: label, iterations: n, ns_per_op: Number(process.hrtime.bigint() - t0) / n };
}
const boundary = [
  await batch('native_call', () => address.deviceId(), false),
  await batch('empty_await', () => Promise.resolve(), true),
];

process.stdout.write(`${JSON.stringify({ library: '@signalapp/libsignal-client 0.103.0', rows, boundary })}\n`);
