-- One database per service (docker-compose.yml mounts this directory into the postgres container).
-- The image runs it once, when its data volume is empty; `docker compose down -v` starts afresh.
-- Each service's Alembic history then creates its own tables (`python -m <service> migrate`).
CREATE DATABASE pb_ras;
CREATE DATABASE pb_charging;
CREATE DATABASE pb_brokerage;
CREATE DATABASE pb_ledger;
