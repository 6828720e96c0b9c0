/** IAM policy documents checked against IAM's grammar and its catalogue of actions, resources and condition keys. */
export { actionProblem } from "./actions";
export { IamCatalogue, type CatalogueVersion } from "./catalogue";
export { checkPolicyDocument, parseDocument, type ParsedDocument } from "./check";
export { POLICY_VERSION } from "./grammar";
export { POLICY_KINDS, type Finding, type PolicyKind } from "./types";
export { actionsMatching, type ActionAccess } from "./access";
