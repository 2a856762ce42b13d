"""`make load` says how much processor time each part of the stack spent per request (bench.cpu),
so a load tool eating the cores it measures shows in its own figures."""

import os
import subprocess
import sys

from bench import cpu


def test_a_process_time_is_read_and_a_finished_process_has_none():
    assert cpu.seconds_used(os.getpid()) >= 0
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    assert cpu.seconds_used(finished.pid) is None  # reaped: nothing to read


def test_children_are_the_direct_children():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in cpu.children(os.getpid())
    finally:
        child.kill()
        child.wait()


def test_time_used_per_part_counts_new_processes_from_zero_and_ended_ones_through_the_parent():
    before = cpu.Reading({"gunicorn": {10: 1.0, 11: 2.0}, "load driver": {1: 0.5}})
    # Worker 11 used 0.5 s more, ended and was waited for by the master (10), whose own time
    # went from 1.0 to 1.5: its reading now holds 1.5 + 2.5. The new worker 12 used 0.25 s.
    after = cpu.Reading({"gunicorn": {10: 4.0, 12: 0.25}, "load driver": {1: 0.75}})
    used = cpu.used_between(before, after)
    assert used == {"gunicorn": 0.5 + 0.5 + 0.25, "load driver": 0.25}


def test_a_parents_reading_holds_its_ended_childrens_time():
    child = subprocess.Popen([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"])
    child.wait()
    alone = cpu.seconds_used(os.getpid())
    with_children = cpu.seconds_used(os.getpid(), reaped=True)
    assert with_children - alone >= 0.01  # the child's work, counted once it was waited for
    reading = cpu.Reading.take({"gunicorn": [os.getpid()]})
    assert reading.times["gunicorn"][os.getpid()] >= with_children


def test_the_line_gives_milliseconds_a_request_and_the_drivers_share():
    meter = cpu.Meter(lambda: {})
    meter.used = {"load driver": 0.1, "gunicorn": 0.7, "PostgreSQL": 0.2}
    line = meter.per_request(100)
    assert line == (
        "CPU ms a request: load driver 1.0, gunicorn 7.0, PostgreSQL 2.0, all 10.0; "
        "the load driver's share 10%"
    )
    assert meter.per_request(0) == ""
    assert cpu.Meter(lambda: {}).per_request(100) == ""  # never started: nothing to say


def test_a_meter_reads_this_process_before_and_after():
    meter = cpu.Meter(lambda: {"load driver": [os.getpid()]})
    meter.start()
    sum(i * i for i in range(200_000))  # some work of this process between the readings
    meter.stop()
    assert set(meter.used) == {"load driver"}
    assert meter.used["load driver"] >= 0


def test_the_line_says_how_busy_the_cores_were():
    meter = cpu.Meter(lambda: {"load driver": [os.getpid()]})
    meter.start()
    sum(i * i for i in range(200_000))
    meter.stop()
    assert meter.busy is not None and 0 <= meter.busy <= 1
    assert "the cores busy " in meter.per_request(10)
