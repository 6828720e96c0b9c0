/**
 * The SSH algorithms an `sftp` binding may name in `algorithms` (for legacy servers): the lists ssh2
 * 1.17 supports (`ssh2/lib/protocol/constants.js`, `SUPPORTED_*`), kept here as data because the
 * catalog imports no transport library. A unit test holds these lists to ssh2's own.
 */
export const SSH_ALGORITHMS = {
  kex: [
    "curve25519-sha256@libssh.org",
    "curve25519-sha256",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group15-sha512",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group17-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha1",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group1-sha1",
  ],
  serverHostKey: [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
    "ssh-dss",
  ],
  cipher: [
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "chacha20-poly1305@openssh.com",
    "aes256-cbc",
    "aes192-cbc",
    "aes128-cbc",
    "3des-cbc",
    "aes128-gcm",
    "aes256-gcm",
  ],
  hmac: [
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha1-etm@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "hmac-sha1",
    "hmac-md5",
    "hmac-sha2-256-96",
    "hmac-sha2-512-96",
    "hmac-ripemd160",
    "hmac-sha1-96",
    "hmac-md5-96",
  ],
} as const satisfies Record<string, readonly string[]>;

export type SshAlgorithmKind = keyof typeof SSH_ALGORITHMS;
