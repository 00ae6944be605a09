"""schemathesis over every operation of the served OpenAPI (stress/schemathesis_run.py), bounded: two examples an
operation, anonymously and as each role, against a real uvicorn: no server error, every answer as documented. The
deterministic coverage phase (boundary values: the huge integers of issue 13) runs anonymously; the random and
stateful phases for every role. The long run (every phase for every role, 50 examples) is
`.venv/bin/python stress/schemathesis_run.py`."""

from __future__ import annotations

import pytest

from stress.schemathesis_run import CALLERS, run_suite


@pytest.mark.slow
def test_every_operation_answers_as_documented_for_every_role(tmp_path):
    """0 failures and 0 errors for anonymous, contributor, reviewer and admin; every operation was tested."""
    phases = {role: "examples,fuzzing,stateful" for role in CALLERS}
    phases["anonymous"] = "examples,coverage,fuzzing,stateful"
    summary = run_suite(tmp_path, examples=2, seed=13, phases=phases)
    assert set(summary) == set(CALLERS)
    for role, result in summary.items():
        assert result["operations"] >= 26 and result["cases"] > 40, (role, result)
        assert result["exit_code"] == 0 and result["failures"] == 0 and result["errored"] == 0, (role, result["output"])
