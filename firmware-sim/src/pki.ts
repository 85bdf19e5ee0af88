/**
 * A certificate authority for tests, made with Debian's openssl: a CA, a server certificate for
 * 127.0.0.1/localhost, client certificates, and a second "stranger" CA that nobody trusts.
 * Stands in for a clinic's PKI as the simulated devices stand in for the patients' devices.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caFile: string;
  strangerCaFile: string;
  serverCert: string;
  serverKey: string;
  /** Client certificate and key files by common name. */
  clients: Record<string, { cert: string; key: string }>;
}

export function makeTestPki(clientNames: string[]): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'vitals-pki-'));
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'stranger'])
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${ca} test CA`,
      '-keyout',
      f(`${ca}.key`),
      '-out',
      f(`${ca}.pem`),
    );
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  writeFileSync(f('client.ext'), 'extendedKeyUsage=clientAuth\n');
  const leaf = (name: string, ext: string) => {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
    );
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f(ext),
      '-out',
      f(`${name}.pem`),
    );
    chmodSync(f(`${name}.key`), 0o600);
  };
  leaf('server', 'server.ext');
  for (const c of clientNames) leaf(c, 'client.ext');
  return {
    dir,
    caFile: f('ca.pem'),
    strangerCaFile: f('stranger.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clients: Object.fromEntries(clientNames.map((c) => [c, { cert: f(`${c}.pem`), key: f(`${c}.key`) }])),
  };
}
