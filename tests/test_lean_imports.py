"""A web process (``storywire serve``) and the scheduler never import the clustering and
extraction stack: scikit-learn and scipy took a web process 2.8 s to import."""

import json
import subprocess
import sys

import pytest

HEAVY = ("sklearn", "scipy", "trafilatura", "datasketch", "numba", "storywire.pipeline")


def loaded_after(*modules: str) -> list[str]:
    code = (
        "import json, sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "modules",
    [
        ("storywire",),
        # what `storywire serve` runs: the CLI, the server, the app each worker loads
        ("storywire.cli", "storywire.web.server", "storywire.web.app"),
        ("storywire.queue.scheduler", "storywire.queue.cli"),
    ],
)
def test_no_clustering_stack(modules: tuple[str, ...]) -> None:
    assert loaded_after(*modules) == []


def test_pipeline_still_reachable_from_the_package() -> None:
    import storywire

    assert storywire.Pipeline.__name__ == "Pipeline"
    with pytest.raises(AttributeError):
        storywire.NoSuchThing  # noqa: B018


def test_batch_without_writing_skips_the_heavy_stack() -> None:
    """`storywire batch --no-write` starts without scikit-learn, scipy, datasketch or the
    LLM client (about 2 s of imports before clustering starts), nor numba: only its
    prepare workers load the compiled dedup kernel."""
    code = (
        "import json, sys\n"
        "import storywire.cli, storywire.batch, storywire.cluster.engine\n"
        "print(json.dumps([m for m in ('sklearn', 'scipy', 'datasketch', 'openai', 'numba')"
        " if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
