"""A result just worked out, as its document: made when first read, its JSON written straight from the
result, the same to the byte as the document's own."""

from __future__ import annotations

import uuid
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from charging.domain.circumstances import Collection
from charging.domain.recorded import FinancialAssessment, ResultDocument, result_document
from charging.domain.result import ChargeResult, Step, Treatment
from pbshared.contract.events.charging import CollectedBy
from pbshared.platform.db import json_text

# Text with what JSON must escape (quotes, backslashes, control characters) and what it need not.
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
pence = st.integers(min_value=-(10**9), max_value=10**9)
steps = st.builds(Step, label=texts, pence=pence, treatment=st.sampled_from(Treatment), reason=texts)
results = st.builds(
    ChargeResult,
    weekly_charge_pence=pence,
    effective_date=st.dates(),
    figures_version=st.integers(min_value=1, max_value=99),
    figures_year=texts,
    policy_version=st.integers(min_value=1, max_value=99),
    steps=st.lists(steps, max_size=20).map(tuple),
    provisional_figures=st.lists(texts, max_size=4).map(tuple),
    full_cost_payer=st.booleans(),
    free_reason=st.none() | texts,
    part_free_reason=st.none() | texts,
    arrangement_fee_one_off_pence=pence,
    arrangement_fee_weekly_pence=pence,
    funded_nursing_care_pence=pence,
    collection=st.none() | st.sampled_from(Collection),
    council_pays_provider_pence=st.none() | pence,
)


@given(results)
def test_its_json_is_the_documents_to_the_byte(charge: ChargeResult) -> None:
    assert json_text(ResultDocument(charge)) == json_text(result_document(charge))


@given(results)
def test_read_it_is_the_document_key_for_key_in_order(charge: ChargeResult) -> None:
    document, made = ResultDocument(charge), result_document(charge)
    assert list(document.items()) == list(made.items())
    assert document == made and len(document) == len(made)
    assert document["steps"] == made["steps"]


@given(st.sampled_from([None, *Collection]))
def test_who_collects_is_read_from_the_result_the_same_as_from_its_stored_document(
    collection: Collection | None,
) -> None:
    charge = ChargeResult(
        weekly_charge_pence=1000,
        effective_date=date(2026, 4, 6),
        figures_version=3,
        figures_year="2026/27",
        policy_version=1,
        steps=(),
        provisional_figures=(),
        collection=collection,
    )

    def recorded(result: object) -> FinancialAssessment:
        return FinancialAssessment(
            uuid.uuid4(), "wyvernshire", uuid.uuid4(), 1, date(2026, 4, 6), date(2026, 4, 6), 1000, {}, result
        )

    just_worked_out = recorded(ResultDocument(charge)).collected_by
    as_read_back = recorded(result_document(charge)).collected_by
    expected = CollectedBy.provider if collection is Collection.net else CollectedBy.council
    assert just_worked_out == as_read_back == expected
