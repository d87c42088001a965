#!/usr/bin/env python3
"""Validate a JSON file against a JSON Schema (draft 2020-12), and check cross-references a
schema cannot express: every sample's candidate indexes an entry, and there is one statistics
object per entry.

Usage: python3 scripts/ci/validate_json.py schemas/compare.schema.json result.json
Needs the jsonschema package (pip install jsonschema).
"""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    schema = json.load(open(sys.argv[1]))
    document = json.load(open(sys.argv[2]))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(document), key=str)
    for error in errors:
        print(f"invalid: {'/'.join(map(str, error.absolute_path))}: {error.message}")
    if "entries" in document and "samples" in document:
        entries = len(document["entries"])
        bad = [s for s in document["samples"] if s["candidate"] >= entries]
        if bad:
            errors.append(bad)
            print(f"invalid: {len(bad)} samples name a candidate beyond the {entries} entries")
        if len(document.get("statistics", [])) != entries:
            errors.append("statistics")
            print("invalid: statistics and entries differ in count")
    if errors:
        sys.exit(1)
    print(f"valid: {sys.argv[2]} against {sys.argv[1]}")


if __name__ == "__main__":
    main()
