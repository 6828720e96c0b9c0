import assert from "node:assert/strict";
import { decodeS3Key, parseS3EventMessage } from "../../../workers/runtime/s3-event";

/** The event message example of https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html, verbatim but for the key. */
function awsExample(key: string, extra: Record<string, unknown> = {}) {
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: "us-west-2",
        eventTime: "1970-01-01T00:00:00.000Z",
        eventName: "ObjectCreated:Put",
        userIdentity: { principalId: "AIDAJDPLRKLG7UEXAMPLE" },
        requestParameters: { sourceIPAddress: "172.16.0.1" },
        responseElements: {
          "x-amz-request-id": "C3D13FE58DE4C810",
          "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
        },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "testConfigRule",
          bucket: {
            name: "amzn-s3-demo-bucket",
            ownerIdentity: { principalId: "A3NL1KOZZKExample" },
            arn: "arn:aws:s3:::amzn-s3-demo-bucket",
          },
          object: {
            key,
            size: 1024,
            eTag: "d41d8cd98f00b204e9800998ecf8427e",
            versionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko",
            sequencer: "0055AED6DCD90281E5",
            ...extra,
          },
        },
      },
    ],
  };
}

describe("S3 event message parser", () => {
  it("parses AWS's documented example with every field", () => {
    const parsed = parseS3EventMessage(JSON.stringify(awsExample("HappyFace.jpg")));
    assert.deepEqual(parsed, {
      kind: "records",
      skipped: [],
      records: [
        {
          eventName: "ObjectCreated:Put",
          eventTime: "1970-01-01T00:00:00.000Z",
          bucket: "amzn-s3-demo-bucket",
          key: "HappyFace.jpg",
          size: 1024,
          eTag: "d41d8cd98f00b204e9800998ecf8427e",
          versionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko",
          sequencer: "0055AED6DCD90281E5",
        },
      ],
    });
  });

  const keys: Array<[string, string, string]> = [
    ["a space encoded as +", "my+folder/a+b.csv", "my folder/a b.csv"],
    ["a literal + encoded as %2B", "a%2Bb.csv", "a+b.csv"],
    ["a literal % encoded as %25", "100%25+done.csv", "100% done.csv"],
    ["UTF-8 escapes", "%C3%BCber/%E6%97%A5%E6%9C%AC.csv", "über/日本.csv"],
    ["an escaped slash (moto)", "dir%2Ffile.txt", "dir/file.txt"],
    ["a plain key", "plain/key.txt", "plain/key.txt"],
  ];
  for (const [what, encoded, decoded] of keys) {
    it(`decodes a key with ${what}`, () => {
      const parsed = parseS3EventMessage(JSON.stringify(awsExample(encoded)));
      assert.equal(parsed.kind, "records");
      assert.equal(parsed.kind === "records" && parsed.records[0]!.key, decoded);
      assert.equal(decodeS3Key(encoded), decoded);
    });
  }

  it("recognises the s3:TestEvent message as documented", () => {
    const body = {
      Service: "Amazon S3",
      Event: "s3:TestEvent",
      Time: "2014-10-13T15:57:02.089Z",
      Bucket: "amzn-s3-demo-bucket",
      RequestId: "5582815E1AEA5ADF",
      HostId: "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
    };
    assert.deepEqual(parseS3EventMessage(JSON.stringify(body)), { kind: "test-event", bucket: "amzn-s3-demo-bucket" });
  });

  it("skips folder placeholders and events other than ObjectCreated", () => {
    const message = awsExample("folder/");
    const removed = awsExample("x.csv").Records[0]!;
    message.Records.push({ ...removed, eventName: "ObjectRemoved:Delete" });
    const parsed = parseS3EventMessage(JSON.stringify(message));
    assert.deepEqual(parsed.kind === "records" && parsed.skipped, [
      { bucket: "amzn-s3-demo-bucket", key: "folder/", eventName: "ObjectCreated:Put", reason: "folder" },
      { bucket: "amzn-s3-demo-bucket", key: "x.csv", eventName: "ObjectRemoved:Delete", reason: "not-object-created" },
    ]);
    assert.deepEqual(parsed.kind === "records" && parsed.records, []);
  });

  it("keeps every record of a message with several records, in order", () => {
    const message = awsExample("one.csv");
    message.Records.push(awsExample("two+2.csv").Records[0]!);
    const parsed = parseS3EventMessage(JSON.stringify(message));
    assert.deepEqual(parsed.kind === "records" && parsed.records.map((r) => r.key), ["one.csv", "two 2.csv"]);
  });

  it("accepts moto's shape (no sequencer, no versionId)", () => {
    const message = awsExample("a.csv");
    const object = message.Records[0]!.s3.object as Record<string, unknown>;
    delete object.sequencer;
    delete object.versionId;
    const parsed = parseS3EventMessage(JSON.stringify(message));
    assert.equal(parsed.kind === "records" && parsed.records[0]!.versionId, undefined);
    assert.equal(parsed.kind === "records" && parsed.records[0]!.eTag, "d41d8cd98f00b204e9800998ecf8427e");
  });

  it("unwraps an SNS envelope (S3 → SNS → SQS without raw delivery)", () => {
    const envelope = {
      Type: "Notification",
      MessageId: "m",
      TopicArn: "arn:aws:sns:us-west-2:123456789012:t",
      Message: JSON.stringify(awsExample("via+sns.csv")),
    };
    const parsed = parseS3EventMessage(JSON.stringify(envelope));
    assert.equal(parsed.kind === "records" && parsed.records[0]!.key, "via sns.csv");
  });

  const malformed: Array<[string, string | undefined, RegExp]> = [
    ["an empty body", "", /^empty body$/],
    ["no body", undefined, /^empty body$/],
    ["text", "hello", /^body is not JSON/],
    ["JSON without Records", JSON.stringify({ hello: "world" }), /no `Records` array/],
    ["an empty Records array", JSON.stringify({ Records: [] }), /no `Records` array/],
    [
      "a record without a bucket",
      JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", s3: { object: { key: "k" } } }] }),
      /^Records\[0\]: `s3\.bucket`/,
    ],
    ["a key with a bad escape", JSON.stringify(awsExample("bad%zzkey")), /^Records\[0\]: key `bad%zzkey` is not valid URL encoding/],
    ["a JSON array", "[1,2]", /no `Records` array/],
  ];
  for (const [what, body, reason] of malformed) {
    it(`reports ${what} as malformed with the reason`, () => {
      const parsed = parseS3EventMessage(body);
      assert.equal(parsed.kind, "malformed");
      assert.match(parsed.kind === "malformed" ? parsed.reason : "", reason);
    });
  }
});
