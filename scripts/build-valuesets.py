"""Rebuild the project's value-set files from the public expansions in ../shared/data/valuesets.

Usage: python scripts/build-valuesets.py [EXPANSIONS_FOLDER]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

from wraparound.core.valuesets import SUD_VALUESET_FILE, build_sud_valueset  # noqa: E402

DEFAULT_FOLDER = (
    REPO_ROOT.parent / "shared" / "data" / "valuesets" / "ecqm-vsac-expansions-2024" / "input" / "vocabulary"
) / "valueset" / "external"

if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER
    content = build_sud_valueset(folder)
    SUD_VALUESET_FILE.write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")
    total = sum(len(codes) for codes in content["codes"].values())
    print(f"{SUD_VALUESET_FILE.name}: {total} codes from {len(content['sources'])} value sets")
