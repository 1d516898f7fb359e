# Validates OpenLineage events (one JSON object per line of the file given) against the
# vendored 2-0-2 schemas: each event as a RunEvent, and each facet with a schema here
# against its own definition. Prints "ok N" or the first problem; exit status 1 on a problem.
import json
import os
import sys

import jsonschema
from referencing import Registry, Resource

here = os.path.dirname(os.path.abspath(__file__))
resources = []
for name in os.listdir(here):
    if name.endswith(".json"):
        schema = json.load(open(os.path.join(here, name)))
        resources.append((schema["$id"], Resource.from_contents(schema)))
registry = Registry().with_resources(resources)
known = {uri: uri for uri, _ in resources}


def check(instance, ref, where):
    validator = jsonschema.Draft202012Validator({"$ref": ref}, registry=registry,
                                                format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(instance), key=lambda e: e.path)
    if errors:
        print(f"{where}: {errors[0].message} at {list(errors[0].path)}")
        sys.exit(1)


def facets(obj, base, where):
    for key, facet in (obj.get("facets") or {}).items():
        url = facet.get("_schemaURL", "")
        document = url.split("#")[0]
        check(facet, base, f"{where} facet {key}")
        if document in known:
            check(facet, url, f"{where} facet {key}")


core = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/"
count = 0
for n, line in enumerate(open(sys.argv[1]), 1):
    event = json.loads(line)
    check(event, core + "RunEvent", f"event {n}")
    facets(event["run"], core + "RunFacet", f"event {n} run")
    facets(event["job"], core + "JobFacet", f"event {n} job")
    for d in event.get("inputs", []):
        facets(d, core + "DatasetFacet", f"event {n} input")
    for d in event.get("outputs", []):
        facets(d, core + "DatasetFacet", f"event {n} output")
    count += 1
print(f"ok {count}")
