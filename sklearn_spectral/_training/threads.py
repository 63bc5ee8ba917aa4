"""Torch's intra-op thread count, chosen per fit and restored after it.

Small networks gain nothing from several intra-op threads and lose a lot
when another process shares the cores: on the 2-core reference machine a
default fit of ``make_classification(2000, 50)`` took 7.2 s with torch's
default of 2 threads next to one busy process, against 2.7 s with 1 thread
(issue 9; ``benchmarks/bench_engine.py`` measures the current ratio).

``torch.set_num_threads`` acts on the calling thread: it sets that thread's
OpenMP and MKL counts, and the count a thread that has not run torch yet
starts with; a thread that already ran torch keeps its own count. (Checked
on torch 2.13 with OpenMP and MKL: after ``set_num_threads(1)`` in one
thread, another thread still reports 2.) :func:`torch_threads` therefore
sets each fit's count in the fit's own thread and never another's: a fit
computes at the count it asked for whatever else runs beside it, as in
sequence. (It used to put the smallest count asked for by any running fit
in force, so a fit's count, and with it the summation order of torch's
reductions over more than 32768 elements, depended on what ran beside it;
issue 23.) The first fit to enter records the count new threads start
with, and the last fit to leave restores it, also when a fit raises.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager

import torch

__all__ = ["auto_threads", "torch_threads"]

_lock = threading.Lock()
_running = [0]  # fits now inside torch_threads, in any thread
_saved = [None]  # the count new threads start with, before the first of them


def auto_threads(layer_sizes, batch_size, *, flops_per_thread):
    """Thread count for a network of ``layer_sizes`` trained at ``batch_size``.

    Parameters
    ----------
    layer_sizes : sequence of int
        Widths of all layers, input first.
    batch_size : int
        Minibatch size.
    flops_per_thread : float
        Multiply-adds of one step per thread below which an extra intra-op
        thread costs more in synchronisation than it saves (the estimators
        pass their ``Settings.flops_per_thread``).

    Returns
    -------
    int
        1 for networks whose step has fewer than ``2 * flops_per_thread``
        multiply-adds, else one thread per ``flops_per_thread``, at most
        the number of usable cores.

    Examples
    --------
    >>> from sklearn_spectral._training.threads import auto_threads
    >>> auto_threads([50, 100, 2], 200, flops_per_thread=2e7)
    1
    """
    sizes = list(layer_sizes)
    # forward and backward of the dense products: about 3 products per layer
    flops = 3.0 * batch_size * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return int(max(1, min(cores, flops // flops_per_thread)))


@contextmanager
def torch_threads(n_threads):
    """Run the block with ``n_threads`` torch intra-op threads.

    Parameters
    ----------
    n_threads : int or None
        Requested count; None leaves torch's setting alone.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral._training.threads import torch_threads
    >>> before = torch.get_num_threads()
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    if n_threads is None:
        yield
        return
    n_threads = int(n_threads)
    own = torch.get_num_threads()  # this thread's count, restored after
    with _lock:
        if not _running[0]:
            _saved[0] = own
        _running[0] += 1
        torch.set_num_threads(n_threads)  # this thread only (see above)
    try:
        yield
    finally:
        with _lock:
            _running[0] -= 1
            # set_num_threads also sets the count of threads not yet started:
            # the last fit to leave puts the one it found back
            torch.set_num_threads(own if _running[0] else _saved[0])
