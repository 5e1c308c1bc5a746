"""Regenerate the Python code for every .proto under proto/ into gen/ (messages, gRPC stubs and .pyi stubs)."""

from __future__ import annotations

import signal
import sys

if __name__ == "__main__":  # Ctrl-C during `make run`'s proto step stops it without a traceback
    signal.signal(signal.SIGINT, lambda _signum, _frame: sys.exit(130))

import shutil
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT_DIR = ROOT / "gen"


def run_protoc(*outputs: str) -> tuple[int, list[str]]:
    """Run grpc_tools' protoc over every .proto under proto/ with the given output options; its exit code and the files."""
    files = sorted(str(p.relative_to(PROTO_DIR)) for p in PROTO_DIR.rglob("*.proto"))
    well_known = str(resources.files("grpc_tools") / "_proto")
    code = int(protoc.main(["grpc_tools.protoc", f"-I{PROTO_DIR}", f"-I{well_known}", *outputs, *files]))
    if code != 0:
        print("protoc failed", file=sys.stderr)
    return code, files


def main() -> int:
    """Wipe gen/emergency, run protoc over every proto file and add package markers."""
    target = OUT_DIR / "emergency"
    if target.exists():
        shutil.rmtree(target)
    OUT_DIR.mkdir(exist_ok=True)
    code, files = run_protoc(f"--python_out={OUT_DIR}", f"--pyi_out={OUT_DIR}", f"--grpc_python_out={OUT_DIR}")
    if code != 0:
        return code
    for folder in [target, *(p for p in target.rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()
        (folder / "py.typed").touch() if folder == target else None
    print(f"generated {len(files)} proto files into {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
