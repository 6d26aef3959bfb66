"""The authoring guide's walkthrough works as written: its bash blocks run in order."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, WEAK_SANDBOX


def walkthrough() -> str:
    text = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    section = text.split("## Walkthrough", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```bash\n(.*?)```", section, re.S))


def test_the_authoring_walkthrough_runs(tmp_path):
    script = walkthrough()
    assert "autograder new course" in script and "autograder validate" in script
    if WEAK_SANDBOX:  # grading and validating need the flag where the sandbox is weaker
        script = re.sub(r"autograder (grade|validate) ", r"autograder \1 --allow-weak-sandbox ", script)
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("AUTOGRADER_COURSE", None)
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "ready." in out.stdout and "public tests passed" in out.stdout
