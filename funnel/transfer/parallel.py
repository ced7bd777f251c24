"""Reading a large file on a second core while the first matches and writes.

Turning cells into people, organisations and deals, and working out what each is matched by,
is half an import's time and needs neither the database nor anything the matching changes: a
forked child reads the file and hands the rows over a chunk at a time, and the parent matches
and writes as they come. Only from the
main thread of a process (the command line): forking a server's request thread would copy
locks other threads hold.
"""

import multiprocessing
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from multiprocessing.queues import Queue
from queue import Empty

from django.utils.translation import gettext as _

from funnel.transfer.errors import TransferError
from funnel.transfer.keys import keys_of
from funnel.transfer.records import Incoming
from funnel.transfer.sources import Source

# Below this many rows a second process costs more than it saves.
PARALLEL_FROM = 20_000
CHUNK = 2000
# Chunks read ahead: enough to keep both cores busy, few enough to bound the memory.
AHEAD = 4


@dataclass(frozen=True)
class Failed:
    message: str
    line: int | None


class Done:
    pass


def rows_of(source: Source) -> Iterator[Incoming]:
    """The source's rows, read by a second process when the file is large and that is safe."""
    expected = source.expected_rows
    if (
        expected is None
        or expected < PARALLEL_FROM
        or threading.current_thread() is not threading.main_thread()
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return source.rows()
    return read_in_child(source)


def read_in_child(source: Source) -> Iterator[Incoming]:
    context = multiprocessing.get_context("fork")
    queue: Queue[list[Incoming] | Failed | Done] = context.Queue(maxsize=AHEAD)
    child = context.Process(target=produce, args=(source, queue), daemon=True)
    child.start()
    try:
        while True:
            try:
                item = queue.get(timeout=1)
            except Empty:
                if child.is_alive():
                    continue
                stopped = _("Reading the file stopped halfway: nothing was imported.")
                raise TransferError(stopped) from None
            if isinstance(item, Done):
                return
            if isinstance(item, Failed):
                raise TransferError(item.message, line=item.line)
            yield from item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def produce(source: Source, queue: "Queue[list[Incoming] | Failed | Done]") -> None:
    """In the child: read the file, hand it over a chunk at a time, then say it is done."""
    try:
        rows = source.rows()
        while chunk := list(islice(rows, CHUNK)):
            for row in chunk:  # the matching keys too: they need nothing from the database
                row.match_keys = keys_of(row, source.region)
            queue.put(chunk)
    except TransferError as exc:
        queue.put(Failed(exc.message, exc.line))
    except Exception as exc:  # the parent must hear of it, or it would wait for ever
        queue.put(Failed(_("The file could not be read: %(error)s") % {"error": exc}, None))
    else:
        queue.put(Done())
