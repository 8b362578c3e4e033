"""Brokerage's own tables (the platform's outbox, inbox, reference data and person copies are added
by migrations): providers on the DPS, packages and the providers invited to each round, sealed
bids, placements, each round's outcome (for the market figures), and the durable timers that close
bidding and acceptance windows."""

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

metadata = MetaData()

providers = Table(
    "providers",
    metadata,
    Column("council_id", String(64), primary_key=True),
    Column("provider_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("cqc_location_id", String(20), nullable=True),
    Column("rating", String(32), nullable=False),
    Column("capacity_hours_per_week", Numeric(7, 2), nullable=False),
    Column("committed_hours_per_week", Numeric(9, 2), nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_reason", Text, nullable=True),
    Column("applied_for", JSON, nullable=False),  # [[lot, area], ...]
    Column("admitted_to", JSON, nullable=False),
    Column("refusals", JSON, nullable=False),  # [[lot, area, reason], ...]
    Column("accepted_packages", Integer, nullable=False),
    Column("handed_back_packages", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

packages = Table(
    "packages",
    metadata,
    Column("package_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False, index=True),
    Column("person_id", Uuid, nullable=False),
    Column("origin", String(16), nullable=False),
    Column("budget_id", Uuid, nullable=True),
    Column("lot", String(64), nullable=False),
    Column("area", String(64), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("units_per_week", Numeric(7, 2), nullable=False),
    Column("carers_per_visit", Integer, nullable=False),
    Column("visit_pattern", Text, nullable=False),
    Column("requirements", JSON, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("latest_start_date", Date, nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("ceiling_pence", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("round", Integer, nullable=False),
    Column("areas", JSON, nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=True),
    Column("ranking", JSON, nullable=True),
    Column("awarded_bid_id", Uuid, nullable=True),
    Column("accept_by", DateTime(timezone=True), nullable=True),
    Column("escalation_reason", Text, nullable=True),
    Column("revision", Integer, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("budget_revision", Integer, nullable=True),  # the highest budget revision acted on
    Column("needs_from_round", Integer, nullable=False),  # the round these needs were first advertised in
    Column("awarded_at", DateTime(timezone=True), nullable=True),
    Column("withdrawal_reason", String(32), nullable=True),
    # One package per planned service of a budget: a replayed budget event finds it already there.
    UniqueConstraint("budget_id", "lot", name="uq_packages_budget_lot"),
)

invitations = Table(
    "invitations",
    metadata,
    Column("package_id", Uuid, ForeignKey("packages.package_id"), primary_key=True),
    Column("round", Integer, primary_key=True),
    Column("provider_id", String(64), primary_key=True),
)

bids = Table(
    "bids",
    metadata,
    Column("bid_id", Uuid, primary_key=True),
    Column("package_id", Uuid, ForeignKey("packages.package_id"), nullable=False),
    Column("round", Integer, nullable=False),
    Column("council_id", String(64), nullable=False),
    Column("provider_id", String(64), nullable=False),
    Column("rate_pence", Integer, nullable=False),
    Column("earliest_start", Date, nullable=False),
    Column("notes", Text, nullable=True),
    Column("status", String(16), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("status_reason", Text, nullable=True),  # why an award passed on, or why the bid was withdrawn
    # One bid per provider per round: revising changes it, never adds a second.
    UniqueConstraint("package_id", "round", "provider_id", name="uq_bids_one_per_provider_per_round"),
    Index("ix_bids_provider", "council_id", "provider_id"),
)

placements = Table(
    "placements",
    metadata,
    Column("placement_id", Uuid, primary_key=True),
    Column("package_id", Uuid, ForeignKey("packages.package_id"), nullable=False, unique=True),
    Column("council_id", String(64), nullable=False, index=True),
    Column("person_id", Uuid, nullable=False),
    Column("provider_id", String(64), nullable=False),
    Column("cqc_location_id", String(20), nullable=True),
    Column("rate_pence", Integer, nullable=False),
    Column("units_per_week", Numeric(7, 2), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("end_reason", String(32), nullable=True),
    Column("revision", Integer, nullable=False),
    # A broker's placement off the DPS, after escalation: the provider by name, and why.
    Column("provider_name", String(200), nullable=True),
    Column("off_dps_reason", Text, nullable=True),
)

package_rounds = Table(
    "package_rounds",
    metadata,
    Column("package_id", Uuid, ForeignKey("packages.package_id"), primary_key=True),
    Column("round", Integer, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("advertised_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("bids_received", Integer, nullable=True),
    Column("outcome", String(16), nullable=True),  # awarded, unfilled, withdrawn, readvertised
    Index("ix_package_rounds_council", "council_id", "advertised_at"),
)

timers = Table(
    "timers",
    metadata,
    Column("timer_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),  # bidding_closes, acceptance_lapses
    Column("package_id", Uuid, nullable=False),
    Column("key", String(64), nullable=False),  # the round, or the awarded bid: what the timer is about
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("fired_at", DateTime(timezone=True), nullable=True),
    # A timer is set once per round or award, however often the step that sets it is replayed.
    UniqueConstraint("kind", "package_id", "key", name="uq_timers_once"),
    # In the claim's order, so the earliest due timer is the index's first entry, however many are due.
    Index("ix_timers_due", "fired_at", "due_at", "timer_id"),
)
