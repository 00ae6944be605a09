"""An evaluation asked of the server, run off the request thread: the hidden split's exam from the catalog, the
grading, and its result (or why it failed) kept with the evaluation. A failed evaluation does not count against
the submitter's limit."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from medal_catalog.errors import InputError
from medal_catalog.evaluation.exams import exam_from_catalog
from medal_catalog.evaluation.grading import Options, grade
from medal_catalog.evaluation.predictions import ReferenceMismatch

if TYPE_CHECKING:
    from medal_catalog.catalog import Catalog

log = logging.getLogger(__name__)


def run_evaluation(catalog: Catalog, evaluation_id: str, data: bytes, min_group: int) -> None:
    """Grade the queued evaluation ``evaluation_id`` on ``data`` and keep its outcome."""
    stored = catalog.get_evaluation(evaluation_id)
    if stored is None:
        return
    catalog.finish_evaluation(evaluation_id, "running")
    exam = None
    try:
        exam = exam_from_catalog(catalog, stored.task, stored.split, allow_hidden=True)
        graded = grade(exam, data, Options(min_group=min_group))
    except ReferenceMismatch as err:
        if exam is not None and exam.hidden:
            # Which case's reference the file did not fit would read back a hidden label (a finding there or
            # not, a mask's shape): the attempt counts against the limit ("refused" is not "failed") and the
            # reason names no case and no reference.
            catalog.finish_evaluation(
                evaluation_id,
                "refused",
                error="the predictions do not fit the hidden "
                "references (coordinates of findings, or a mask's grid); check the format on "
                "a visible split with `medal evaluate` first",
            )
        else:
            catalog.finish_evaluation(evaluation_id, "failed", error=str(err))
        return
    except InputError as err:
        catalog.finish_evaluation(evaluation_id, "failed", error=str(err))
        return
    except Exception as err:  # noqa: BLE001 - a job must record its failure, whatever it is
        log.exception("evaluation %s failed", evaluation_id)
        catalog.finish_evaluation(
            evaluation_id, "failed", error=f"the catalog could not grade it ({type(err).__name__})"
        )
        return
    result = {**graded.result, **stored.about}
    replicates = graded.primary_replicates
    kept = np.asarray(replicates, dtype="<f8").tobytes() if replicates is not None else None
    catalog.finish_evaluation(evaluation_id, "done", result=result, replicates=kept)
