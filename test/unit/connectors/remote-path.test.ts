import assert from "node:assert/strict";
import { remotePaths, sanitizeRemoteName } from "../../../workers/connectors/remote-path";
import { hostKeyFingerprint } from "../../../workers/connectors/sftp";
import { PermanentError } from "../../../workers/errors";

describe("connectors/remote-path", () => {
  const names: Array<[string, string]> = [
    ["report.csv", "report.csv"],
    ["in/2024/05/report.csv", "in_2024_05_report.csv"],
    ["../../etc/passwd", "etc_passwd"],
    ["a/./b/../c", "a_b_c"],
    ["evil\u0000name\r\n.txt", "evilname.txt"],
    [".hidden/.part", "hidden_part"],
    ["dir\\windows\\file", "dir_windows_file"],
    ["ünïcødé/名前.pb", "ünïcødé_名前.pb"],
  ];
  for (const [input, expected] of names) {
    it(`sanitises ${JSON.stringify(input)} to ${JSON.stringify(expected)}`, () => assert.equal(sanitizeRemoteName(input), expected));
  }

  for (const input of ["", "..", "../..", "/./", "\u0001\u0002"]) {
    it(`refuses ${JSON.stringify(input)} (no usable name)`, () => assert.throws(() => sanitizeRemoteName(input), PermanentError));
  }

  it("keeps a long name within 255 bytes including the temporary suffix", () => {
    const { final, temp } = remotePaths("/in", "x".repeat(400) + ".pb");
    assert.ok(Buffer.byteLength(temp.slice("/in/".length)) <= 255);
    assert.ok(final.endsWith(".pb"));
  });

  it("puts the temporary name, hidden and unique, next to the final one", () => {
    const a = remotePaths("/upload/partner", "k/file.pb");
    const b = remotePaths("/upload/partner", "k/file.pb");
    assert.equal(a.final, "/upload/partner/k_file.pb");
    assert.match(a.temp, /^\/upload\/partner\/\.k_file\.pb\.[0-9a-f]{12}\.part$/);
    assert.notEqual(a.temp, b.temp);
  });

  it("fingerprints a host key blob as ssh-keygen -l does", () => {
    // `ssh-keygen -lf` of "ssh-ed25519 <this blob>" prints this fingerprint (OpenSSH 9.2).
    const blob = Buffer.from("AAAAC3NzaC1lZDI1NTE5AAAAIGZ0tpRQ9WXLkNaUXXqmwG/wTcYd+Hp7fXO5k3CYmBRu", "base64");
    assert.equal(hostKeyFingerprint(blob), "SHA256:vXMt/COQsVPP/ojxICUbi2TBDCnCyU2kAzD/MIzJp5s");
  });
});
