#!/usr/bin/env python3
"""Fails when a source file includes a header of a layer it may not depend on.

The build enforces the same through include roots (each layer's target sees
only the headers of what it links); this check reads the sources, so that a
new include directory or a relative include cannot quietly open a back-edge,
and it names the file, the line and the rule. Layers: docs/architecture.md.

Usage: scripts/check-layers.py [repo root]   (exit 1 on a violation)
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)

# Layer -> the include prefixes ("linecrew/<...>/") it may use. A layer may
# always include its own headers.
CORE = ["linecrew/core/"]
SQLITE = ["linecrew/storage/"]
PROTO = ["linecrew/v1/", "grpc/health/"]
S_STORAGE = CORE + SQLITE + ["linecrew/server/storage/"]
S_APP = S_STORAGE + ["linecrew/planner/", "linecrew/server/app/"]
D_STORE = CORE + SQLITE + ["linecrew/device/store/"]
D_POSITION = CORE + ["linecrew/device/position/"]
D_APP = D_STORE + D_POSITION + PROTO + ["linecrew/device/app/"]
D_SYNC = D_STORE + PROTO + ["linecrew/device/sync/"]
D_UI = D_APP + D_SYNC + ["linecrew/device/ui/"]
LAYERS = [  # (path prefix, allowed prefixes, may use gRPC/protobuf headers)
    ("core/", CORE, False),
    ("storage/", CORE + SQLITE, False),
    ("planner/", CORE + ["linecrew/planner/"], False),
    ("server/storage/", S_STORAGE, False),
    ("server/app/", S_APP, False),
    ("server/rpc/", S_APP + PROTO + ["linecrew/server/rpc/"], True),
    ("server/http/", S_APP + ["linecrew/server/http/"], False),
    ("server/ctl/", CORE + PROTO, True),
    ("server/", S_APP + PROTO + ["linecrew/server/"], True),  # the assembly and main.cc
    ("device/position/", D_POSITION, False),
    ("device/store/", D_STORE, False),
    ("device/sync/", D_SYNC, True),
    ("device/app/", D_APP, True),
    ("device/ui/", D_UI, True),
    ("device/", D_UI, True),  # main.cc
    ("sim/", CORE + ["linecrew/planner/"] + PROTO + D_APP + D_SYNC, True),
]
RPC_HEADERS = re.compile(r'#include\s*[<"](grpc|grpcpp|google/protobuf)/')
LOCAL = re.compile(r'#include\s*"([^"]+)"')


def layer_of(rel):
    for prefix, allowed, rpc in LAYERS:
        if rel.startswith(prefix):
            return prefix, allowed, rpc
    return None


def main():
    errors = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".cc", ".h") or not path.is_file():
            continue
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("build/", "proto/", "tests/", "bench/", "cross/")):
            continue
        found = layer_of(rel)
        if not found:
            continue
        prefix, allowed, rpc = found
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not rpc and RPC_HEADERS.search(line):
                errors.append(f"{rel}:{n}: layer {prefix} may not use gRPC or protobuf: {line.strip()}")
            m = LOCAL.search(line)
            if not m:
                continue
            inc = m.group(1)
            if inc.endswith(".pb.h") and not rpc:
                errors.append(f"{rel}:{n}: layer {prefix} may not use protobuf messages: {inc}")
                continue
            if any(inc.startswith(a) for a in allowed):
                continue
            if not inc.startswith("linecrew/"):
                # A private header of the layer itself, by a path inside the layer's directory.
                if not any(p.as_posix().endswith("/" + inc) for p in (ROOT / prefix).rglob(pathlib.Path(inc).name)):
                    errors.append(f"{rel}:{n}: '{inc}' is no header of layer {prefix}: include other layers' "
                                  "headers by their layer path (linecrew/...)")
                continue
            if inc.endswith(".pb.h") and not rpc:
                errors.append(f"{rel}:{n}: layer {prefix} may not use protobuf messages: {inc}")
            elif not any(inc.startswith(a) for a in allowed):
                errors.append(f"{rel}:{n}: layer {prefix} may not include {inc} (a layer above it or beside it)")
    for e in errors:
        print(e)
    print(f"layers: {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
