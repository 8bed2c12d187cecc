// KEM peer for tests/peers/kem_peer_test.cpp: independent implementations
// driven over stdin/stdout, one command per line, hex in and out.
//   keygen <alg> <seed hex | ->        -> "<pk> <sk>"   (seed = d ‖ z; '-' = random)
//   encaps <alg> <pk> <m hex | ->      -> "<ct> <ss>"
//   decaps <alg> <sk> <ct>             -> "<ss>"
// alg: ml-kem-768, ml-kem-1024 (@noble/post-quantum, FIPS 203);
//      kyber1024 (crystals-kyber, round 3; random only);
//      signal-kyber1024 (@signalapp/libsignal-client; keygen only, keys with
//      their 0x08 type byte).
import { ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { createRequire } from 'node:module';
import readline from 'node:readline';

const require = createRequire(import.meta.url);
const kyber = require('crystals-kyber');
let signal = null;
const signalKem = () => (signal ??= require('@signalapp/libsignal-client'));

const hex = (b) => Buffer.from(b).toString('hex');
const bytes = (h) => new Uint8Array(Buffer.from(h, 'hex'));
const noble = { 'ml-kem-768': ml_kem768, 'ml-kem-1024': ml_kem1024 };

function run(cmd, alg, a, b) {
  if (noble[alg]) {
    const kem = noble[alg];
    if (cmd === 'keygen') {
      const k = a === '-' ? kem.keygen() : kem.keygen(bytes(a));
      return `${hex(k.publicKey)} ${hex(k.secretKey)}`;
    }
    if (cmd === 'encaps') {
      const e = b === '-' ? kem.encapsulate(bytes(a)) : kem.encapsulate(bytes(a), bytes(b));
      return `${hex(e.cipherText)} ${hex(e.sharedSecret)}`;
    }
    if (cmd === 'decaps') return hex(kem.decapsulate(bytes(b), bytes(a)));
  }
  if (alg === 'kyber1024') {
    if (cmd === 'keygen') {
      const [pk, sk] = kyber.KeyGen1024();
      return `${hex(pk)} ${hex(sk)}`;
    }
    if (cmd === 'encaps') {
      const [ct, ss] = kyber.Encrypt1024(bytes(a));
      return `${hex(ct)} ${hex(ss)}`;
    }
    if (cmd === 'decaps') return hex(kyber.Decrypt1024(bytes(b), bytes(a)));
  }
  if (alg === 'signal-kyber1024' && cmd === 'keygen') {
    const pair = signalKem().KEMKeyPair.generate();
    return `${hex(pair.getPublicKey().serialize())} ${hex(pair.getSecretKey().serialize())}`;
  }
  throw new Error(`unknown command ${cmd} ${alg}`);
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  const [cmd, alg, a, b] = line.trim().split(' ');
  try {
    process.stdout.write(run(cmd, alg, a, b) + '\n');
  } catch (e) {
    process.stdout.write(`error ${String(e.message).replace(/\s+/g, ' ')}\n`);
  }
});
