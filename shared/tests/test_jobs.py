"""Long jobs: one per council, kind and key; a failed one is started again from its checkpoint."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from pbshared.platform.jobs import JobStatus, find_job, jobs_table, record_failure, record_progress, start_job


async def test_a_job_is_started_once_and_a_failed_one_resumes_from_its_checkpoint(tmp_path):
    metadata = MetaData()
    table = jobs_table(metadata)
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'jobs.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    sessions = async_sessionmaker(engine)
    try:
        async with sessions() as session, session.begin():
            job, created = await start_job(session, table, "wyvernshire", "uprating", "2026/27", "test")
            assert created and job.status is JobStatus.running
            job = await record_progress(session, table, job, done=3, checkpoint="c", totals={"up": 3}, total=9)
            await record_failure(session, table, job, "OSError: the database went away")
        async with sessions() as session, session.begin():
            again, created = await start_job(session, table, "wyvernshire", "uprating", "2026/27", "test")
            assert not created and again.job_id == job.job_id
            assert (again.status, again.error, again.done, again.checkpoint) == (JobStatus.running, None, 3, "c")
            other, created = await start_job(session, table, "eastmere", "uprating", "2026/27", "test")
            assert created and other.job_id != job.job_id
            assert await find_job(session, table, "eastmere", job.job_id) is None  # councils never meet
            done = await record_progress(session, table, again, done=9, checkpoint="z", totals={"up": 9}, finished=True)
            assert done.finished and done.finished_at is not None
    finally:
        await engine.dispose()
