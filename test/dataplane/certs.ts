// Emulated ALB data plane: TLS keys for the listeners' ACM certificates. ACM hands out a private key only
// through ExportCertificate, which LocalStack refuses for the certificates listeners use ("not a private
// certificate"), so the data plane makes its own: one local CA per state directory, and per ACM
// certificate a key and a certificate signed by that CA covering the ACM certificate's DomainName and
// SubjectAlternativeNames (wildcards kept as ACM has them). Clients trust `ca.crt` or skip verification.
// node:crypto cannot write X.509, so openssl (on every machine here) signs them.

import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** A PEM key and certificate (chain included). */
export interface KeyPair {
  readonly key: string;
  readonly cert: string;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function opensslAsync(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile("openssl", args, { cwd }, (err, _out, stderr) =>
      err
        ? reject(new Error(`openssl ${args[0]} failed: ${stderr || err.message}`, { cause: err }))
        : resolve(),
    ),
  );
}

/** Makes and caches keys and certificates under `dir` (see the header). */
export class CertificateStore {
  readonly #dir: string;
  readonly #cache = new Map<string, Promise<KeyPair>>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The CA certificate clients trust, created on first use. */
  caPath(): string {
    mkdirSync(this.#dir, { recursive: true });
    const ca = join(this.#dir, "ca.crt");
    if (!existsSync(ca)) {
      const tmp = `ca-${process.pid}`;
      openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${tmp}.key`], this.#dir);
      openssl(
        [
          "req",
          "-x509",
          "-new",
          "-key",
          `${tmp}.key`,
          "-days",
          "3650",
          "-subj",
          "/CN=gannet-dataplane-ca",
          "-out",
          `${tmp}.crt`,
        ],
        this.#dir,
      );
      renameSync(join(this.#dir, `${tmp}.key`), join(this.#dir, "ca.key"));
      renameSync(join(this.#dir, `${tmp}.crt`), ca);
    }
    return ca;
  }

  /** The key and certificate standing for one ACM certificate with these names (made once, then cached). */
  keyPair(arn: string, domainNames: readonly string[]): Promise<KeyPair> {
    const id = createHash("sha256")
      .update(JSON.stringify([arn, domainNames]))
      .digest("hex")
      .slice(0, 20);
    let pair = this.#cache.get(id);
    if (!pair) {
      pair = this.#make(id, domainNames);
      this.#cache.set(id, pair);
      pair.catch(() => this.#cache.delete(id));
    }
    return pair;
  }

  async #make(id: string, domainNames: readonly string[]): Promise<KeyPair> {
    const ca = this.caPath();
    const certFile = join(this.#dir, `${id}.crt`);
    if (!existsSync(certFile)) {
      const names = domainNames.length > 0 ? domainNames : ["localhost"];
      writeFileSync(
        join(this.#dir, `${id}.ext`),
        `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
      );
      await opensslAsync(
        ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${id}.key`],
        this.#dir,
      );
      await opensslAsync(
        ["req", "-new", "-key", `${id}.key`, "-subj", `/CN=${names[0]}`, "-out", `${id}.csr`],
        this.#dir,
      );
      await opensslAsync(
        [
          "x509",
          "-req",
          "-in",
          `${id}.csr`,
          "-CA",
          ca,
          "-CAkey",
          "ca.key",
          "-CAcreateserial",
          "-days",
          "825",
          "-extfile",
          `${id}.ext`,
          "-out",
          `${id}.tmp.crt`,
        ],
        this.#dir,
      );
      renameSync(join(this.#dir, `${id}.tmp.crt`), certFile);
    }
    const [key, cert] = await Promise.all([
      readFile(join(this.#dir, `${id}.key`), "utf8"),
      readFile(certFile, "utf8"),
    ]);
    return { key, cert };
  }
}

/** Does a certificate name (`*.example.com` covers one label, as in ACM) cover a server name. */
export function nameCovers(certName: string, serverName: string): boolean {
  const name = certName.toLowerCase();
  const host = serverName.toLowerCase();
  if (!name.startsWith("*.")) return name === host;
  const dot = host.indexOf(".");
  return dot > 0 && host.slice(dot + 1) === name.slice(2);
}

/**
 * The certificate an HTTPS listener presents for an SNI name, as AWS's "SSL certificates" page describes
 * smart selection: a certificate naming the host exactly, else one whose wildcard covers it, else the
 * listener's default certificate.
 */
export function selectCertificate<T extends { isDefault: boolean; domainNames: readonly string[] }>(
  certificates: readonly T[],
  serverName: string | undefined,
): T | undefined {
  const fallback = certificates.find((c) => c.isDefault) ?? certificates[0];
  if (!serverName) return fallback;
  const host = serverName.toLowerCase();
  return (
    certificates.find((c) => c.domainNames.some((n) => n.toLowerCase() === host)) ??
    certificates.find((c) => c.domainNames.some((n) => nameCovers(n, host))) ??
    fallback
  );
}
