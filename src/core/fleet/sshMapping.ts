// From a Prometheus `instance` to the SSH host to diagnose it over: an explicit mapping first
// (a setting or --map), else the address without its port matched against ssh_config's Host
// aliases and HostNames; else the bare address itself when it looks like a host name.

export interface SshAlias {
  alias: string;
  /** The HostName it connects to (the alias itself when it has none). */
  hostName: string;
}

/** "10.0.0.5:9100" → "10.0.0.5"; "[fd00::5]:9100" → "fd00::5"; "node-1" → "node-1". */
export function instanceAddress(instance: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(instance);
  if (v6) return v6[1];
  const m = /^([^:]+):\d+$/.exec(instance);
  return m ? m[1] : instance;
}

/**
 * The SSH host for an instance, or null when none is known. `mapping` keys are instances or
 * addresses (exact), values ssh specs ("user@host", an alias).
 */
export function sshHostFor(instance: string, aliases: SshAlias[], mapping: Record<string, string> = {}): string | null {
  if (mapping[instance]) return mapping[instance];
  const addr = instanceAddress(instance);
  if (mapping[addr]) return mapping[addr];
  const lc = addr.toLowerCase();
  const byHostName = aliases.find((a) => a.hostName.toLowerCase() === lc);
  if (byHostName) return byHostName.alias;
  const byAlias = aliases.find((a) => a.alias.toLowerCase() === lc);
  if (byAlias) return byAlias.alias;
  // A plain host name or address is a spec ssh can try; anything else is not guessed.
  return /^[A-Za-z0-9][A-Za-z0-9.\-:]*$/.test(addr) && addr !== 'localhost' ? addr : null;
}
