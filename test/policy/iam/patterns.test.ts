import assert from "node:assert/strict";
import { keyTemplateRegExp, nearest, wildcardRegExp } from "../../../policy/iam/patterns";

describe("IAM name patterns", () => {
  it("reads catalogue key templates as patterns, case-insensitively (table)", () => {
    const cases: [template: string, key: string, matches: boolean][] = [
      ["aws:ResourceTag/${TagKey}", "aws:ResourceTag/team", true],
      ["aws:ResourceTag/${TagKey}", "aws:resourcetag/Team", true],
      ["aws:ResourceTag/${TagKey}", "aws:ResourceTag/", false],
      ["aws:PrincipalTag/tag-key", "aws:PrincipalTag/cost-center", true],
      ["s3:ExistingObjectTag/<key>", "s3:ExistingObjectTag/owner", true],
      ["s3:ExistingObjectTag/<key>", "s3:ExistingObjectTag", false],
      ["kms:EncryptionContext:${EncryptionContextKey}", "kms:EncryptionContext:aws:sqs:arn", true],
      ["aws:SourceArn", "aws:SourceArnX", false],
    ];
    for (const [template, key, matches] of cases) assert.equal(keyTemplateRegExp(template).test(key), matches, `${template} vs ${key}`);
  });

  it("reads IAM wildcards: * any text, ? one character", () => {
    assert.equal(wildcardRegExp("Get*").test("GetObjectVersion"), true);
    assert.equal(wildcardRegExp("List?ucket").test("ListBucket"), true);
    assert.equal(wildcardRegExp("List?ucket").test("ListBuckets"), false);
    assert.equal(wildcardRegExp("a.b").test("axb"), false, "regex characters are literal");
  });

  it("suggests a near name only when it is a plausible misspelling", () => {
    assert.equal(nearest("GetObjekt", ["GetObject", "PutObject", "ListBucket"]), "GetObject");
    assert.equal(nearest("Teleport", ["GetObject", "PutObject", "ListBucket"]), undefined);
  });
});
