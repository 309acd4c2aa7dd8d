"""Tandem batch layer as an Airflow DAG: archive -> recompute -> verify, hourly.

`catchup=True` turns Airflow's backfill of past logical dates into reruns of the same idempotent
scripts. Every task calls a script that also runs by hand (scripts/run-batch.sh, scripts/tandem),
so what Airflow does can be reproduced on a terminal. Set TANDEM_HOME, TANDEM_ROOT and
TANDEM_BOOTSTRAP in the worker's environment (defaults below).
"""
import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

TANDEM_HOME = os.environ.get("TANDEM_HOME", "/opt/tandem")
TANDEM_ROOT = os.environ.get("TANDEM_ROOT", TANDEM_HOME + "/data")
TANDEM_BOOTSTRAP = os.environ.get("TANDEM_BOOTSTRAP", "127.0.0.1:9092")
TANDEM_API = os.environ.get("TANDEM_API", "http://127.0.0.1:8080")

# The commands, kept as plain data so a test can run them without Airflow.
LOGICAL_HOUR = "{{ logical_date.strftime('%Y-%m-%dT%H') }}"
COMMANDS = {
    "archive": f"{TANDEM_HOME}/scripts/tandem archive --root {TANDEM_ROOT} --bootstrap {TANDEM_BOOTSTRAP}",
    "recompute": f"{TANDEM_HOME}/scripts/run-batch.sh --root {TANDEM_ROOT} --no-archive --mode incremental"
                 f" --logical-hour {LOGICAL_HOUR}",
    "verify": f"{TANDEM_HOME}/scripts/tandem verify --root {TANDEM_ROOT} --api {TANDEM_API}",
}

default_args = {
    "owner": "tandem",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}

with DAG(
    dag_id="tandem_batch",
    description="Archive complete ingest hours, recompute and publish the batch views, verify the API",
    schedule="5 * * * *",
    start_date=datetime(2026, 11, 1),
    catchup=True,
    max_active_runs=1,
    default_args=default_args,
    tags=["tandem"],
) as dag:
    archive = BashOperator(task_id="archive", bash_command=COMMANDS["archive"])
    recompute = BashOperator(task_id="recompute", bash_command=COMMANDS["recompute"])
    verify = BashOperator(task_id="verify", bash_command=COMMANDS["verify"])
    archive >> recompute >> verify
