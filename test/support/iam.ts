/**
 * The pack's IAM document rule over a mock stack's registrations: what `iam-policy-document-valid`
 * says of every document the components rendered, and which documents it judged (so a test also
 * shows it saw them).
 */
import { evaluatePolicies, type ResourceSnapshot } from "../../policy/evaluate";
import { carriedDocuments, iamPolicyDocumentValid } from "../../policy/rules/iam";
import type { RecordedResource } from "./pulumi";

export async function judgeIamDocuments(resources: readonly RecordedResource[]): Promise<{ messages: string[]; documents: string[] }> {
  const snapshots: ResourceSnapshot[] = resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn ?? `urn:pulumi:test::jobworker::${r.type}::${r.name}`,
    inputs: r.inputs,
    outputs: { id: r.id, ...r.state },
  }));
  const violations = await evaluatePolicies([iamPolicyDocumentValid], snapshots);
  const documents = snapshots.flatMap((s) =>
    carriedDocuments(s.type, s.inputs)
      .filter((d) => d.value !== undefined && d.value !== "")
      .map((d) => `${s.name}.${d.field}`),
  );
  return { messages: violations.map((v) => v.message), documents: documents.sort() };
}
