import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from textbook.core import runner
from textbook.core.runner import Task, run_one, run_tasks

ROOT = Path(__file__).resolve().parents[2]


def script(tmp_path: Path, name: str, body: str, timeout: float = 30.0) -> Task:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}
    return Task(f"task {name}", name, str(path), module=False, cwd=tmp_path, env=env,
                timeout=timeout)  # fmt: skip


def test_a_worker_reports_its_json_result(tmp_path):
    task = script(
        tmp_path,
        "ok.py",
        """
        import sys
        from textbook.core.runner import write_result
        print("noise on stderr", file=sys.stderr)
        write_result({"argv": sys.argv[1:], "name": __name__, "n": 3})
    """,
    )
    task = Task(**{**task.__dict__, "args": ("a", "b")})
    outcome = run_one(task)
    assert outcome.ok and outcome.error() == ""
    assert outcome.result == {"argv": ["a", "b"], "name": "__main__", "n": 3}
    assert "noise on stderr" in outcome.stderr


def test_a_worker_that_exits_without_a_result_is_an_error_naming_the_module(tmp_path):
    outcome = run_one(script(tmp_path, "quits.py", "import os\nos._exit(0)\n"))
    assert not outcome.ok and outcome.returncode == 0
    assert outcome.error().startswith("quits.py: the worker exited with status 0 without")


def test_a_timeout_names_the_line_the_worker_was_at(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(runner, "PROGRESS_EVERY", 1.0)
    task = script(tmp_path, "loops.py", """\
        def spin():
            while True: pass  # one line: a stack sample may land on either line of a longer loop
        spin()
    """, timeout=2.5)  # fmt: skip
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.textbook.runner"):
        started = time.perf_counter()
        outcome = run_one(task, root=tmp_path)
    assert time.perf_counter() - started < 6
    assert outcome.timed_out and not outcome.ok
    assert outcome.where == "loops.py:2"
    assert outcome.error() == "loops.py: did not finish within 2.5 s (it was at loops.py:2)"
    assert caplog.messages == [f"still running task loops.py ({n} s)" for n in (1, 2)]


def test_the_innermost_project_frame_skips_the_environment(tmp_path):
    stack = (
        "Current thread 0x1 (most recent call first):\n"
        f'  File "{tmp_path}/.venv/lib/x.py", line 9 in f\n'
        '  File "/usr/lib/python3.11/json.py", line 5 in g\n'
        f'  File "{tmp_path}/figures_src/figures/a.py", line 12 in build\n'
        f'  File "{tmp_path}/figures_src/figures/b.py", line 3 in main\n'
    )
    assert runner.innermost_project_frame(stack, tmp_path) == "figures_src/figures/a.py:12"
    assert runner.innermost_project_frame("no frames", tmp_path) is None


def test_outcomes_keep_task_order_and_on_done_sees_each_as_it_finishes(tmp_path):
    slow = script(
        tmp_path,
        "slow.py",
        """
        import time
        from textbook.core.runner import write_result
        time.sleep(1.0)
        write_result("slow")
    """,
    )
    fast = script(
        tmp_path,
        "fast.py",
        """
        from textbook.core.runner import write_result
        write_result("fast")
    """,
    )
    seen = []
    outcomes = run_tasks([slow, fast], jobs=2, on_done=lambda o: seen.append(o.result))
    assert [o.result for o in outcomes] == ["slow", "fast"]
    assert seen == ["fast", "slow"]
    assert run_tasks([]) == []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for init to reap it is dead too
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_parent(tmp_path):
    pid_file = tmp_path / "worker.pid"
    worker = script(
        tmp_path,
        "sleeps.py",
        f"""
        import os, pathlib, time
        pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))
        time.sleep(60)
    """,
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            from pathlib import Path
            from textbook.core.runner import Task, run_tasks
            run_tasks([Task("sleeper", "sleeps.py", {worker.target!r}, module=False,
                            cwd=Path({str(tmp_path)!r}), env={dict(worker.env)!r})])
        """)],
        cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the worker never started"
        time.sleep(0.05)
    child = int(pid_file.read_text())
    assert _alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)
