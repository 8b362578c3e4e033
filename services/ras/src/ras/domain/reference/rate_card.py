"""The council's rate card (kind `rate_card`): what each service costs per unit, commissioned and by
direct payment. Direct payment rates are usually lower (no agency overheads); docs/domain/ras.md.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from pbshared.contract.events.budgets import CldServiceType, DeliveryMechanism, ServiceUnit
from ras.domain.problems import ReferenceModel, reject_dataset, repeated_ids


class ServiceRate(ReferenceModel):
    service_type: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_]*$")
    title: str = Field(min_length=1, max_length=200)
    unit: ServiceUnit
    cld_service_type: CldServiceType
    cld_service_component: str | None = Field(default=None, max_length=100)
    commissioned_rate_pence: int = Field(ge=0, description="Per unit per carer, council-managed or ISF.")
    direct_payment_rate_pence: int = Field(ge=0, description="Per unit per carer, by direct payment.")

    def rate_for(self, delivery: DeliveryMechanism) -> int:
        # An individual service fund buys from a provider, so it pays the commissioned rate.
        if delivery == DeliveryMechanism.direct_payment:
            return self.direct_payment_rate_pence
        return self.commissioned_rate_pence


class RateCard(ReferenceModel):
    """The payload of a `rate_card` dataset."""

    services: list[ServiceRate] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        reject_dataset(
            "RateCard",
            repeated_ids((("services", i, "service_type"), s.service_type) for i, s in enumerate(self.services)),
        )
        return self

    def service(self, service_type: str) -> ServiceRate | None:
        return next((s for s in self.services if s.service_type == service_type), None)
