"""Reference evaluator for the audit benchmark: the same question as `pysec-herald audit`, answered
with Python's `packaging` over the same OSV records, written plainly and fairly (records loaded the
obvious way, the OSV evaluation rules for PyPI: versions lists, ECOSYSTEM ranges with introduced,
fixed, last_affected and limit, ordered by packaging.version)."""
import json
import re
import sys
import zipfile

from packaging.version import InvalidVersion, Version


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(v):
    try:
        return Version(v)
    except InvalidVersion:
        return None


def in_range(events, v):
    evs = []
    for e in events:
        (kind, val), = e.items()
        if kind == "introduced" and val == "0":
            evs.append((None, kind))
            continue
        pv = parse(val)
        if pv is not None:
            evs.append((pv, kind))
    evs.sort(key=lambda x: (x[0] is not None, x[0] or Version("0")))
    limits = [p for p, k in evs if k == "limit"]
    if limits and v >= min(limits):
        return False
    affected = False
    for p, kind in evs:
        if kind == "introduced" and (p is None or v >= p):
            affected = True
        elif kind == "fixed" and p is not None and v >= p:
            affected = False
        elif kind == "last_affected" and p is not None and v > p:
            affected = False
    return affected


def affects(record, name, version):
    if record.get("withdrawn"):
        return False
    v = parse(version)
    for a in record.get("affected", []):
        pkg = a.get("package") or {}
        if pkg.get("ecosystem") != "PyPI" or norm(pkg.get("name", "")) != name:
            continue
        if any(parse(x) == v for x in a.get("versions", []) if parse(x) is not None):
            return True
        for r in a.get("ranges", []):
            if r.get("type") == "ECOSYSTEM" and in_range(r.get("events", []), v):
                return True
    return False


def main(zip_path, requirements):
    by_package = {}
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            record = json.loads(z.read(info))
            for a in record.get("affected", []):
                name = norm((a.get("package") or {}).get("name", ""))
                by_package.setdefault(name, []).append(record)
    found = 0
    with open(requirements) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if not line:
                continue
            name, version = line.split("==")
            found += sum(1 for r in by_package.get(norm(name), []) if affects(r, norm(name), version))
    print(found)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
