import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { multipartBody } from "../../../workers/connectors/multipart";

describe("multipart/form-data body", () => {
  it("puts the text fields first and the file last, with the length it announces, parsable by a form parser", async () => {
    const file = Buffer.from("id,name\n1,Ada\n");
    const body = multipartBody(
      {
        fields: { type: "orders" },
        field: "file",
        fileName: 'orders "7".csv',
        fileType: "text/csv",
        file: Readable.from([file]),
        fileSize: file.length,
      },
      "BOUNDARY",
    );
    assert.equal(body.contentType, "multipart/form-data; boundary=BOUNDARY");
    const raw = await text(body.stream);
    assert.equal(Buffer.byteLength(raw), body.size);
    assert.equal(
      raw,
      '--BOUNDARY\r\nContent-Disposition: form-data; name="type"\r\n\r\norders\r\n' +
        '--BOUNDARY\r\nContent-Disposition: form-data; name="file"; filename="orders %227%22.csv"\r\nContent-Type: text/csv\r\n\r\n' +
        "id,name\n1,Ada\n\r\n--BOUNDARY--\r\n",
    );
    const form = await new Response(raw, { headers: { "content-type": body.contentType } }).formData();
    assert.equal(form.get("type"), "orders");
    assert.equal(await (form.get("file") as File).text(), "id,name\n1,Ada\n");
  });

  it("has no length when the file's size is unknown, and passes a source error on", async () => {
    const failing = new Readable({ read() {} });
    const body = multipartBody({ fields: {}, field: "f", fileName: "x", fileType: "application/octet-stream", file: failing });
    assert.equal(body.size, undefined);
    const consumed = text(body.stream);
    failing.destroy(new Error("disk gone"));
    await assert.rejects(consumed, /disk gone/);
  });
});
