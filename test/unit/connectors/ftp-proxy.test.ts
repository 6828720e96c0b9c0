import assert from "node:assert/strict";
import { epsvPort } from "../../../workers/connectors/ftp-proxy";

describe("EPSV reply parsing (RFC 2428)", () => {
  const good: Array<[string, number]> = [
    ["229 Entering Extended Passive Mode (|||6446|)", 6446],
    ["229 Entering Extended Passive Mode (!!!50000!)", 50000],
  ];
  for (const [reply, port] of good) it(`reads ${port} from ${JSON.stringify(reply)}`, () => assert.equal(epsvPort(reply), port));

  const bad = [
    "229 Entering Extended Passive Mode (|||0|)",
    "229 Entering Extended Passive Mode (|||70000|)",
    "227 Entering Passive Mode (127,0,0,1,4,1)",
  ];
  for (const reply of bad) it(`refuses ${JSON.stringify(reply)}`, () => assert.throws(() => epsvPort(reply), /cannot read the port/));
});
