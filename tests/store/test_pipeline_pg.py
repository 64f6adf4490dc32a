"""The counting pipeline writing to PostgreSQL when the connection is lost during a COMMIT that
lands: the pipeline retries the same batch with the same id, and no passage is stored twice."""

from __future__ import annotations

import pytest

from footfall.config import Params
from footfall.ingest import Ingest
from footfall.pipeline import start_counting
from footfall.store.postgres import PostgresStore
from tests.polling import wait_for
from tests.store.conftest import new_serial
from tests.store.pgproxy import Proxy

EVER = (0, 2**40)


def test_a_commit_that_landed_unseen_is_not_counted_twice(
    proxy: Proxy, caplog: pytest.LogCaptureFixture
) -> None:
    with PostgresStore(proxy.url(), new_serial()) as store:
        handle = start_counting("synthetic", False, Params, Ingest(store), paced=False)
        try:
            wait_for(lambda: handle.status()["passages"] >= 3, 60, "the first passages")
            proxy.drop_after_next_commit()
            wait_for(lambda: handle.errors >= 1, 60, "the write lost during its COMMIT")
            proxy.restore()
            wait_for(lambda: handle.status()["passages"] >= 12, 90, "passages after the loss")
        finally:
            handle.stop()
        status = handle.status()
        assert status["pending"] == 0
        assert "may or may not have been committed" in caplog.text
        assert sum(store.totals(*EVER)) == status["passages"]  # the lost COMMIT's batch once
        store.clear()
