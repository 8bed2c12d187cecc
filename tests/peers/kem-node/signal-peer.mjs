// A libsignal-client 0.103 device for tests/signal_peers/ (issue #15): one
// party, "libsignal" device 1, talking to "hush" device 1, driven over
// stdin/stdout one command per line, hex in and out, one answer line each
// ("error <message>" when libsignal throws). Same folder and lockfile as the
// KEM peer: the same pinned @signalapp/libsignal-client serves both.
//   bundle                       -> reg dev pk_id pk spk_id spk spk_sig ik kyber_id kyber kyber_sig
//   process <the same 11 fields> -> ok          (a session from a Hush bundle)
//   encrypt <plaintext>          -> <type> <message>
//   decrypt <type> <message>     -> <plaintext>
//   session                      -> <libsignal SessionRecord bytes>, or "none"
//   names <our name> <hush's name> -> ok   (before anything else: Service IDs make libsignal bind
//                                   both addresses into each SignalMessage, field 6)
//   kyber_count                  -> number of Kyber pre-keys still held
//   signal_message <version> <mac_key> <ratchet> <counter> <previous> <body> <sender_ik> <receiver_ik> <pq|->
//                                -> the SignalMessage libsignal builds from these parts
//   fingerprint <iterations> <version> <local id> <local ik> <remote id> <remote ik>
//                                -> <60 digits> <scannable bytes>   (ids as hex bytes)
//   inspect <type> <message>     -> <message version> <bytes of the SPQR part, or - for a pre-key message>
//                                   (what libsignal's API reports about a message it sent)
//   has_session                  -> 1 | 0   (SessionRecord.hasCurrentState for "hush" 1)
//   fingerprint_scan <the same 6 fields> <scanned bytes>
//                                -> match | mismatch   (libsignal compares a scanned code with its own)
// Sender Keys (libsignal's format, with a distribution id; "libsignal" sends, "hush" is the other member):
//   skdm_create <distribution uuid>   -> our SenderKeyDistributionMessage (created on first use)
//   skdm_process <message>            -> ok        (hush's distribution message, sender "hush" 1)
//   group_encrypt <uuid> <plaintext>  -> <SenderKeyMessage>
//   group_decrypt <message>           -> <plaintext>   (a message from "hush" 1)
//   skdm_new <uuid> <chain id> <iteration> <chain key> <signing key>
//                                     -> the SenderKeyDistributionMessage libsignal builds from these parts
//   skm_parse <message> <signing key> -> <uuid> <chain id> <iteration> <ciphertext> <signature ok: 1|0>
// Numbers are decimal; "-" stands for an absent one-time pre-key or an empty value.
import { createRequire } from 'node:module';
import readline from 'node:readline';

const require = createRequire(import.meta.url);
const S = require('@signalapp/libsignal-client');

const hex = (b) => Buffer.from(b).toString('hex');
const bytes = (h) => new Uint8Array(Buffer.from(h === '-' ? '' : h, 'hex'));
const key = (a) => `${a.name()}.${a.deviceId()}`;

class Identities extends S.IdentityKeyStore {
  constructor(pair, registrationId) {
    super();
    this.pair = pair;
    this.registrationId = registrationId;
    this.known = new Map();
  }
  async getIdentityKey() { return this.pair.privateKey; }
  async getLocalRegistrationId() { return this.registrationId; }
  async saveIdentity(name, k) {
    const old = this.known.get(key(name));
    this.known.set(key(name), k);
    return old && !old.equals(k) ? S.IdentityChange.ReplacedExisting : S.IdentityChange.NewOrUnchanged;
  }
  async isTrustedIdentity(name, k) {
    const old = this.known.get(key(name));
    return !old || old.equals(k);
  }
  async getIdentity(name) { return this.known.get(key(name)) ?? null; }
}

class Sessions extends S.SessionStore {
  constructor() { super(); this.records = new Map(); }
  async saveSession(name, record) { this.records.set(key(name), record.serialize()); }
  async getSession(name) {
    const r = this.records.get(key(name));
    return r ? S.SessionRecord.deserialize(r) : null;
  }
  async getExistingSessions(names) { return Promise.all(names.map((n) => this.getSession(n))); }
}

class PreKeys extends S.PreKeyStore {
  constructor() { super(); this.records = new Map(); }
  async savePreKey(id, r) { this.records.set(id, r); }
  async getPreKey(id) {
    if (!this.records.has(id)) throw new Error(`no pre-key ${id}`);
    return this.records.get(id);
  }
  async removePreKey(id) { this.records.delete(id); }
}

class SignedPreKeys extends S.SignedPreKeyStore {
  constructor() { super(); this.records = new Map(); }
  async saveSignedPreKey(id, r) { this.records.set(id, r); }
  async getSignedPreKey(id) {
    if (!this.records.has(id)) throw new Error(`no signed pre-key ${id}`);
    return this.records.get(id);
  }
}

// One-time Kyber pre-keys only: used means removed.
class KyberPreKeys extends S.KyberPreKeyStore {
  constructor() { super(); this.records = new Map(); }
  async saveKyberPreKey(id, r) { this.records.set(id, r); }
  async getKyberPreKey(id) {
    if (!this.records.has(id)) throw new Error(`no kyber pre-key ${id}`);
    return this.records.get(id);
  }
  async markKyberPreKeyUsed(id) { this.records.delete(id); }
}

// Sender key records by (sender, distribution id), as libsignal keys them.
class SenderKeys extends S.SenderKeyStore {
  constructor() { super(); this.records = new Map(); }
  async saveSenderKey(sender, id, record) { this.records.set(`${key(sender)}/${id}`, record.serialize()); }
  async getSenderKey(sender, id) {
    const r = this.records.get(`${key(sender)}/${id}`);
    return r ? S.SenderKeyRecord.deserialize(r) : null;
  }
}

// libsignal logs why a decrypt failed (its error says only "decryption
// failed"): keep the log lines of the current command for the error answer.
let log = [];
S.initLogger(S.LogLevel.Info, (_level, _target, _file, _line, message) => log.push(message));

const identity = S.IdentityKeyPair.generate();
const registrationId = 1 + Math.floor(Math.random() * 16380);
const identities = new Identities(identity, registrationId);
const sessions = new Sessions();
const preKeys = new PreKeys();
const signedPreKeys = new SignedPreKeys();
const kyberPreKeys = new KyberPreKeys();
const senderKeys = new SenderKeys();
let me = S.ProtocolAddress.new('libsignal', 1);
let hush = S.ProtocolAddress.new('hush', 1);
let nextId = 1;

function makeBundle() {
  const id = nextId++;
  const preKey = S.PrivateKey.generate();
  preKeys.savePreKey(id, S.PreKeyRecord.new(id, preKey.getPublicKey(), preKey));
  const signed = S.PrivateKey.generate();
  const signedSig = identity.privateKey.sign(signed.getPublicKey().serialize());
  signedPreKeys.saveSignedPreKey(id, S.SignedPreKeyRecord.new(id, Date.now(), signed.getPublicKey(), signed, signedSig));
  const kyber = S.KEMKeyPair.generate();
  const kyberSig = identity.privateKey.sign(kyber.getPublicKey().serialize());
  kyberPreKeys.saveKyberPreKey(id, S.KyberPreKeyRecord.new(id, Date.now(), kyber, kyberSig));
  return [registrationId, 1, id, hex(preKey.getPublicKey().serialize()), id, hex(signed.getPublicKey().serialize()),
    hex(signedSig), hex(identity.publicKey.serialize()), id, hex(kyber.getPublicKey().serialize()), hex(kyberSig)].join(' ');
}

async function processBundle(f) {
  const bundle = S.PreKeyBundle.new(Number(f[0]), Number(f[1]), f[2] === '-' ? null : Number(f[2]),
    f[3] === '-' ? null : S.PublicKey.deserialize(bytes(f[3])), Number(f[4]), S.PublicKey.deserialize(bytes(f[5])),
    bytes(f[6]), S.PublicKey.deserialize(bytes(f[7])), Number(f[8]), S.KEMPublicKey.deserialize(bytes(f[9])),
    bytes(f[10]));
  await S.processPreKeyBundle(bundle, hush, me, sessions, identities);
  return 'ok';
}

async function decrypt(type, message) {
  if (Number(type) === S.CiphertextMessageType.PreKey) {
    return hex(await S.signalDecryptPreKey(S.PreKeySignalMessage.deserialize(bytes(message)), hush, me, sessions,
      identities, preKeys, signedPreKeys, kyberPreKeys));
  }
  return hex(await S.signalDecrypt(S.SignalMessage.deserialize(bytes(message)), hush, me, sessions, identities));
}

function signalMessage(f) {
  const m = S.SignalMessage._new(Number(f[0]), bytes(f[1]), S.PublicKey.deserialize(bytes(f[2])), Number(f[3]),
    Number(f[4]), bytes(f[5]), S.PublicKey.deserialize(bytes(f[6])), S.PublicKey.deserialize(bytes(f[7])),
    bytes(f[8]));
  return hex(m.serialize());
}

async function run(cmd, args) {
  switch (cmd) {
    case 'bundle': return makeBundle();
    case 'process': return processBundle(args);
    case 'encrypt': {
      const m = await S.signalEncrypt(bytes(args[0]), hush, me, sessions, identities);
      return `${m.type()} ${hex(m.serialize())}`;
    }
    case 'decrypt': return decrypt(args[0], args[1]);
    case 'session': {
      const r = sessions.records.get(key(hush));
      return r ? hex(r) : 'none';
    }
    case 'names':
      me = S.ProtocolAddress.new(args[0], 1);
      hush = S.ProtocolAddress.new(args[1], 1);
      return 'ok';
    case 'kyber_count': return String(kyberPreKeys.records.size);
    case 'signal_message': return signalMessage(args);
    case 'fingerprint': {
      const f = S.Fingerprint.new(Number(args[0]), Number(args[1]), bytes(args[2]), S.PublicKey.deserialize(bytes(args[3])),
        bytes(args[4]), S.PublicKey.deserialize(bytes(args[5])));
      return `${f.displayableFingerprint().toString()} ${hex(f.scannableFingerprint().toBuffer())}`;
    }
    case 'inspect': {
      if (Number(args[0]) === S.CiphertextMessageType.PreKey) {
        return `${S.PreKeySignalMessage.deserialize(bytes(args[1])).version()} -`;
      }
      const m = S.SignalMessage.deserialize(bytes(args[1]));
      return `${m.messageVersion()} ${m.pqRatchet().length}`;
    }
    case 'has_session': {
      const r = await sessions.getSession(hush);
      return r && r.hasCurrentState() ? '1' : '0';
    }
    case 'fingerprint_scan': {
      const f = S.Fingerprint.new(Number(args[0]), Number(args[1]), bytes(args[2]), S.PublicKey.deserialize(bytes(args[3])),
        bytes(args[4]), S.PublicKey.deserialize(bytes(args[5])));
      return f.scannableFingerprint().compare(S.ScannableFingerprint._fromBuffer(bytes(args[6]))) ? 'match' : 'mismatch';
    }
    case 'skdm_create': return hex((await S.SenderKeyDistributionMessage.create(me, args[0], senderKeys)).serialize());
    case 'skdm_process':
      await S.processSenderKeyDistributionMessage(hush, S.SenderKeyDistributionMessage.deserialize(bytes(args[0])),
        senderKeys);
      return 'ok';
    case 'group_encrypt': return hex((await S.groupEncrypt(me, args[0], senderKeys, bytes(args[1]))).serialize());
    case 'group_decrypt': return hex(await S.groupDecrypt(hush, senderKeys, bytes(args[0])));
    case 'skdm_new':
      return hex(S.SenderKeyDistributionMessage._new(3, args[0], Number(args[1]), Number(args[2]), bytes(args[3]),
        S.PublicKey.deserialize(bytes(args[4]))).serialize());
    case 'skm_parse': {
      const m = S.SenderKeyMessage.deserialize(bytes(args[0]));
      const ok = m.verifySignature(S.PublicKey.deserialize(bytes(args[1])));
      return `${m.distributionId()} ${m.chainId()} ${m.iteration()} ${hex(m.ciphertext())} ${ok ? 1 : 0}`;
    }
    default: throw new Error(`unknown command ${cmd}`);
  }
}

// One command at a time, in order: the stores are async.
const rl = readline.createInterface({ input: process.stdin, terminal: false });
for await (const line of rl) {
  const [cmd, ...args] = line.trim().split(' ');
  let answer;
  log = [];
  try {
    answer = await run(cmd, args);
  } catch (e) {
    answer = `error ${String(e.message)} | log: ${log.join(' | ')}`.replace(/\s+/g, ' ');
  }
  process.stdout.write(answer + '\n');
}
