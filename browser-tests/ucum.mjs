// Checks unit codes with the National Library of Medicine's UCUM validator (ucum-lhc).
// Usage: node ucum.mjs CODE... ; prints one JSON object {code: "valid" | "invalid" | ...}.
import ucum from "@lhncbc/ucum-lhc";

const utils = ucum.UcumLhcUtils.getInstance();
const result = {};
for (const code of process.argv.slice(2)) {
  result[code] = utils.validateUnitString(code).status;
}
console.log(JSON.stringify(result));
