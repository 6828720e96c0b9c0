import assert from "node:assert/strict";
import { eprtArgument, portArgument } from "../../../workers/connectors/ftp-active";

describe("active-mode FTP command arguments", () => {
  const eprt: Array<[string, number, string]> = [
    ["10.0.0.5", 50000, "|1|10.0.0.5|50000|"],
    ["::ffff:192.168.1.20", 1, "|1|192.168.1.20|1|"],
    ["2001:db8::7", 65535, "|2|2001:db8::7|65535|"],
  ];
  for (const [ip, port, arg] of eprt)
    it(`EPRT for ${ip} port ${port} is ${arg} (RFC 2428)`, () => assert.equal(eprtArgument(ip, port), arg));

  const port: Array<[string, number, string]> = [
    ["10.0.0.5", 50000, "10,0,0,5,195,80"],
    ["127.0.0.1", 255, "127,0,0,1,0,255"],
    ["::ffff:192.168.1.20", 256, "192,168,1,20,1,0"],
    ["172.16.0.9", 65535, "172,16,0,9,255,255"],
  ];
  for (const [ip, p, arg] of port) it(`PORT for ${ip} port ${p} is ${arg} (RFC 959)`, () => assert.equal(portArgument(ip, p), arg));

  it("refuses PORT for an IPv6 address, naming EPRT", () => assert.throws(() => portArgument("2001:db8::7", 21), /must accept EPRT/));

  for (const bad of [0, 65536, 21.5]) {
    it(`refuses port ${bad}`, () => {
      assert.throws(() => eprtArgument("10.0.0.5", bad), /not a TCP port/);
      assert.throws(() => portArgument("10.0.0.5", bad), /not a TCP port/);
    });
  }
});
