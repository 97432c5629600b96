"""Validates a FHIR R4 Bundle with the fhir.resources 6.5 (R4, 4.0.1) models; exits 1 naming
the problem. Every entry's resource is validated as its own resourceType."""
import json
import sys

from fhir.resources import get_fhir_model_class
from fhir.resources.bundle import Bundle

with open(sys.argv[1], encoding="utf-8") as f:
    doc = json.load(f)
try:
    Bundle.parse_obj(doc)
    for i, entry in enumerate(doc.get("entry", [])):
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).parse_obj(resource)
except Exception as e:  # noqa: BLE001 - report whatever the models refuse
    print(f"invalid: {e}")
    sys.exit(1)
print(f"valid: {len(doc.get('entry', []))} entries")
