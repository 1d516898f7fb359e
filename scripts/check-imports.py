#!/usr/bin/env python3
"""Checks that Package.swift declares exactly what each target imports, and that the
server does not reach the shell's readline (DESIGN.md §3).

Run from the package root: python3 scripts/check-imports.py
It reads `swift package dump-package`, so nothing is built. Exit status 1 lists each target
whose imports and declared dependencies differ."""
import json, os, re, subprocess, sys

# Modules that come with the toolchain, never declared.
SYSTEM = {"Foundation", "FoundationNetworking", "FoundationEssentials", "Glibc", "Darwin", "Dispatch",
          "Synchronization", "Testing", "XCTest", "_Concurrency", "Musl"}
IMPORT = re.compile(r"^(?:@\w+(?:\([^)]*\))?\s+)*import\s+(?:(?:struct|class|enum|func|protocol|typealias|var|let)\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.M)

package = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True,
                                    capture_output=True, text=True).stdout)

def declared(target):
    names = set()
    for d in target.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in d:
                names.add(d[kind][0])
    return names

def imports(path):
    found = set()
    for root, _, files in os.walk(path):
        for f in files:
            if f.endswith(".swift"):
                with open(os.path.join(root, f), encoding="utf-8") as h:
                    found |= set(IMPORT.findall(h.read()))
    return found - SYSTEM

problems = []
graph = {}
for t in package["targets"]:
    name, kind = t["name"], t["type"]
    deps = declared(t)
    graph[name] = deps
    if kind == "system":
        continue
    path = t.get("path") or os.path.join("Tests" if kind == "test" else "Sources", name)
    used = imports(path)
    missing, unused = sorted(used - deps), sorted(deps - used)
    if missing or unused:
        problems.append(f"{name}: " + "; ".join(
            ([f"imports undeclared {', '.join(missing)}"] if missing else []) +
            ([f"declares unused {', '.join(unused)}"] if unused else [])))

def reaches(start, goal, seen=None):
    seen = seen if seen is not None else set()
    if start == goal:
        return True
    seen.add(start)
    return any(reaches(d, goal, seen) for d in graph.get(start, ()) if d not in seen)

for server in ("MeshServer",):
    if server in graph and (reaches(server, "CReadline") or reaches(server, "MeshREPL")):
        problems.append(f"{server} reaches the shell (MeshREPL / readline); share code through MeshFormat instead")

if problems:
    print("Package.swift and the imports disagree:\n  " + "\n  ".join(problems))
    sys.exit(1)
print(f"imports match Package.swift for {sum(1 for t in package['targets'] if t['type'] != 'system')} targets")
