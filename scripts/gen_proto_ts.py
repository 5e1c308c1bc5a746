"""Regenerate the console's TypeScript types (protoc-gen-es, with proto3 JSON types) from proto/ into console/web/src/gen/."""

from __future__ import annotations

import shutil
import sys

from gen_proto import ROOT, run_protoc

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
    code, files = run_protoc(f"--plugin=protoc-gen-es={PLUGIN}", f"--es_out={OUT_DIR}", "--es_opt=target=ts,json_types=true")
    if code != 0:
        return code
    print(f"generated TypeScript for {len(files)} proto files into {OUT_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
