"""Council reference data: versioned, effective-dated datasets, one mechanism for every service.

A dataset has a kind (what it is: council profile, RAS model, charging policy...), a council, a
version and an effective-from date. It is validated completely before anything is stored, never
edited once stored (a new version supersedes it), and looked up by the date that matters.
"""

from pbshared.platform.refdata.kinds import COUNCIL_KIND, CouncilProfile, ReferenceKind
from pbshared.platform.refdata.lookup import Dataset, effective_dataset
from pbshared.platform.refdata.repository import (
    DatasetIn,
    council_is_known,
    store_dataset,
)

__all__ = [
    "COUNCIL_KIND",
    "CouncilProfile",
    "Dataset",
    "DatasetIn",
    "ReferenceKind",
    "council_is_known",
    "effective_dataset",
    "store_dataset",
]
