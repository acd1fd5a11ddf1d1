"""Running tasks side by side (medialens.jobs) and the corpus build lock that lets two kernels share one build."""

from __future__ import annotations

import threading
import time

import pytest

from medialens.jobs import default_jobs, run_in_order


def test_results_and_done_calls_come_in_task_order_whatever_order_tasks_finish_in():
    second_done = threading.Event()
    calls = []

    def first():
        assert second_done.wait(60)  # finishes only after the second: both ran at once
        return "first"

    def second():
        second_done.set()
        return "second"

    results = run_in_order([first, second, lambda: "third"], 2, lambda i, r: calls.append((i, r)), abort=lambda: None)
    assert results == ["first", "second", "third"]
    assert calls == [(0, "first"), (1, "second"), (2, "third")]


def test_one_job_runs_the_tasks_one_after_the_other():
    running, most = [], []

    def task(i):
        def run():
            running.append(i)
            most.append(len(running))
            time.sleep(0.01)
            running.remove(i)
            return i
        return run

    assert run_in_order([task(i) for i in range(4)], 1, lambda i, r: None, abort=lambda: None) == [0, 1, 2, 3]
    assert max(most) == 1


def test_a_task_that_raises_aborts_the_rest_and_the_error_is_raised_again():
    aborted, started = [], []
    release = threading.Event()

    def slow():
        started.append("slow")
        assert release.wait(60)  # ends when the runner aborts
        return "slow"

    def boom():
        started.append("boom")
        raise KeyboardInterrupt  # Ctrl-C, or any error of the runner itself

    def never():
        started.append("never")

    def abort():
        aborted.append(True)
        release.set()

    with pytest.raises(KeyboardInterrupt):
        run_in_order([slow, boom, never], 2, lambda i, r: None, abort=abort)
    assert aborted == [True] and "never" not in started  # waited for the running one, dropped the rest


def test_default_jobs_from_the_environment(monkeypatch):
    monkeypatch.setenv("MEDIALENS_JOBS", "3")
    assert default_jobs() == 3
    monkeypatch.delenv("MEDIALENS_JOBS")
    assert 1 <= default_jobs() <= 2
    for bad in ("0", "x", "-2"):
        monkeypatch.setenv("MEDIALENS_JOBS", bad)
        with pytest.raises(ValueError, match="MEDIALENS_JOBS"):
            default_jobs()


def test_the_corpus_build_lock_lets_one_loader_build_while_the_other_waits(tmp_path):
    from medialens.corpus.cache import _build_lock

    cache_file = tmp_path / "cache" / "corpus-x-abc.pkl"
    events = []
    inside = threading.Event()

    def second():
        assert inside.wait(60)
        with _build_lock(cache_file):
            events.append("second in")

    thread = threading.Thread(target=second)
    thread.start()
    with _build_lock(cache_file):
        inside.set()
        time.sleep(0.3)  # the second loader is waiting now
        events.append("first out")
    thread.join(60)
    assert events == ["first out", "second in"]
    (tmp_path / "not-a-folder").touch()
    with _build_lock(tmp_path / "not-a-folder" / "x.pkl"):
        events.append("no lock")  # a cache folder that cannot be made: no lock, no error
    assert events[-1] == "no lock"


def test_two_loaders_of_one_corpus_at_once_build_it_once(tmp_path, monkeypatch):
    """The second load waits for the first build and reads its cache."""
    import medialens.corpus.load as load

    monkeypatch.setenv("MEDIALENS_CACHE", str(tmp_path / "cache"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("title Een\n\nDe eerste tekst over de stad.\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("name: lock\nlanguage: nl\nsource: {path: docs, format: txt}\n", encoding="utf-8")
    builds, real_build = [], load._build
    release = threading.Event()

    def slow_build(*args, **kwargs):
        builds.append(threading.current_thread().name)
        release.wait(0.5)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(load, "_build", slow_build)
    loaded = []
    threads = [threading.Thread(target=lambda: loaded.append(load.load_corpus(tmp_path / "c.yaml")), name=f"t{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(builds) == 1 and len(loaded) == 2
    assert sorted(c.from_cache for c in loaded) == [False, True]
    assert loaded[0].documents.equals(loaded[1].documents)
