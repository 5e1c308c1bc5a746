"""Regenerate the console's TypeScript types (protoc-gen-es, with proto3 JSON types) from proto/ into console/web/src/gen/."""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
WEB = ROOT / "console" / "web"
OUT_DIR = WEB / "src" / "gen"
PLUGIN = WEB / "node_modules" / ".bin" / "protoc-gen-es"


def main() -> int:
    """Run grpc_tools' protoc with the protoc-gen-es plugin installed by `npm ci`."""
    if not PLUGIN.exists():
        print(f"{PLUGIN.relative_to(ROOT)} is missing: run `npm ci` in console/web (make console-deps)", file=sys.stderr)
        return 2
    if OUT_DIR.exists():
        shutil.rmtree(OUT_DIR)
    OUT_DIR.mkdir(parents=True)
    files = sorted(str(p.relative_to(PROTO_DIR)) for p in PROTO_DIR.rglob("*.proto"))
    well_known = str(resources.files("grpc_tools") / "_proto")
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_DIR}",
        f"-I{well_known}",
        f"--plugin=protoc-gen-es={PLUGIN}",
        f"--es_out={OUT_DIR}",
        "--es_opt=target=ts,json_types=true",
        *files,
    ]
    code = protoc.main(args)
    if code != 0:
        print("protoc failed", file=sys.stderr)
        return int(code)
    print(f"generated TypeScript for {len(files)} proto files into {OUT_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
