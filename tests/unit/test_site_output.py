"""The site directory is replaced in one step, by one build at a time (textbook.site.output)."""

from __future__ import annotations

import threading
import time

import pytest

import textbook.site.output as output


def make_site(folder, files: dict[str, str]):
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def contents(folder) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()
    }


def test_publish_swaps_the_new_site_in_and_leaves_nothing_beside_it(tmp_path):
    final = make_site(tmp_path / "site", {"index.html": "old", "gone.html": "old"})
    staging = output.new_staging(final)
    assert staging.parent == tmp_path and staging.name.startswith(".site.partial-")
    make_site(staging, {"index.html": "new", "a/b.html": "new"})
    output.publish(staging, final)
    assert contents(final) == {"index.html": "new", "a/b.html": "new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_publish_into_a_missing_site_directory(tmp_path):
    staging = make_site(output.new_staging(tmp_path / "site"), {"index.html": "new"})
    output.publish(staging, tmp_path / "site")
    assert contents(tmp_path / "site") == {"index.html": "new"}
    assert not staging.exists()


def test_the_exchange_is_one_step_on_linux(tmp_path):
    a = make_site(tmp_path / "a", {"x": "a"})
    b = make_site(tmp_path / "b", {"x": "b"})
    assert output._exchange(a, b)
    assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"


def test_stale_staging_of_a_killed_build_is_removed(tmp_path):
    final = tmp_path / "site"
    stale = [output.new_staging(final), tmp_path / ".site.partial", tmp_path / ".site.old"]
    for folder in stale[1:]:
        folder.mkdir()
    (tmp_path / "keep").mkdir()
    assert sorted(output.remove_stale_staging(final)) == sorted(stale)
    assert [p.name for p in tmp_path.iterdir()] == ["keep"]


def test_a_second_build_waits_for_the_lock_and_says_so(tmp_path):
    final = tmp_path / "site"
    first = output.BuildLock(final)
    first.acquire()
    assert output.lock_path(final).read_text().strip().isdigit()
    said: list[str] = []
    second = output.BuildLock(final)
    waiter = threading.Thread(target=lambda: second.acquire(timeout=30, on_wait=said.append))
    waiter.start()
    time.sleep(0.6)
    assert not second.held and waiter.is_alive()
    first.release()
    waiter.join(10)
    assert second.held
    pid = output.lock_path(final).read_text().strip()
    assert said == [f"waiting for another build of this checkout (pid {pid}) to end"]
    second.release()


def test_a_lock_held_too_long_fails_with_a_clear_message(tmp_path):
    final = tmp_path / "site"
    holder = output.BuildLock(final)
    holder.acquire()
    pid = output.lock_path(final).read_text().strip()
    with pytest.raises(output.BuildLockTimeout) as error:
        output.BuildLock(final).acquire(timeout=0.3, on_wait=lambda _: None)
    assert str(error.value) == (
        f"{output.lock_path(final)}: another build of this checkout (pid {pid}) has been "
        "building for more than 0.3 s; wait for it to end or stop it, then build again"
    )
    holder.release()
    again = output.BuildLock(final)
    again.acquire(timeout=0)  # free again
    again.release()


def test_site_swap_holds_the_lock_from_begin_to_finish(tmp_path):
    final = make_site(tmp_path / "site", {"index.html": "old"})
    swap = output.SiteSwap()
    staging = swap.begin(final, serving=False, on_wait=print)
    assert swap.lock is not None and swap.lock.held
    make_site(staging, {"index.html": "new"})
    assert swap.finish() == final
    assert contents(final) == {"index.html": "new"} and swap.lock is None
    assert not staging.exists()


def test_site_swap_abort_keeps_the_old_site_and_frees_the_lock(tmp_path):
    final = make_site(tmp_path / "site", {"index.html": "old"})
    swap = output.SiteSwap()
    staging = make_site(swap.begin(final, serving=False, on_wait=print), {"index.html": "half"})
    swap.abort()
    assert contents(final) == {"index.html": "old"} and not staging.exists()
    other = output.SiteSwap()  # the next build gets the lock at once
    other.begin(final, serving=False, on_wait=lambda message: pytest.fail(message))
    other.abort()


def test_site_swap_under_serve_takes_no_lock(tmp_path):
    swap = output.SiteSwap()
    swap.begin(tmp_path / "site", serving=True, on_wait=print)
    assert swap.lock is None
    swap.abort()
