// Private key parsing through ssh2, with the three outcomes the auth code needs to tell apart.
import { utils, ParsedKey } from 'ssh2';

export type KeyParse = { ok: true; type: string; key: ParsedKey } | { ok: false; encrypted: boolean; badPassphrase: boolean; error: string };

export function parseKey(data: Buffer, passphrase?: string): KeyParse {
  let k: ReturnType<typeof utils.parseKey>;
  try {
    k = utils.parseKey(data, passphrase);
  } catch (e) {
    return { ok: false, encrypted: false, badPassphrase: false, error: (e as Error).message };
  }
  if (k instanceof Error) {
    const m = k.message;
    return {
      ok: false,
      encrypted: /no passphrase given/i.test(m),
      badPassphrase: passphrase !== undefined && /bad passphrase|integrity check failed|decrypt/i.test(m),
      error: m,
    };
  }
  const key = Array.isArray(k) ? k[0] : k;
  if (!key.isPrivateKey()) return { ok: false, encrypted: false, badPassphrase: false, error: 'not a private key (a .pub file?)' };
  return { ok: true, type: key.type, key };
}
