"""Tensors in, minibatches out: the data path of the lean epoch loop.

skorch's default path wraps the data in a ``Dataset``, fetches one sample at
a time and collates; on tabular data that costs more than the network. Here
the whole training set is a few tensors on the training device, and a
minibatch is one fancy index into each, as in a hand-written torch loop.
"""

from __future__ import annotations

import torch
from torch.utils.data import Dataset, Subset

__all__ = ["TensorBatches", "TensorData", "dataset_tensors"]


class TensorData(Dataset):
    """Features, targets and optional sample weights as tensors.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
        Features.
    y : torch.Tensor of shape (n_samples, ...)
        Targets.
    sample_weight : torch.Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, normalised to mean 1 over the training set.
    """

    def __init__(self, X, y, sample_weight=None):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, index):
        w = None if self.sample_weight is None else self.sample_weight[index]
        return self.X[index], self.y[index], w


def dataset_tensors(dataset, device):
    """``(X, y, w)`` of a :class:`TensorData` or a ``Subset`` of one, on ``device``.

    A ``Subset`` (skorch's validation split) is materialised once per fit.
    """
    if isinstance(dataset, Subset):
        base = dataset.dataset
        if not isinstance(base, TensorData):
            raise TypeError(f"Expected a TensorData, got {type(base).__name__}.")
        index = torch.as_tensor(dataset.indices, dtype=torch.long)
        tensors = (base.X, base.y, base.sample_weight)
        # index_select: the rows t[index] gives, also of a sparse X
        tensors = tuple(
            None if t is None else t.index_select(0, index.to(t.device))
            for t in tensors
        )
    elif isinstance(dataset, TensorData):
        tensors = (dataset.X, dataset.y, dataset.sample_weight)
    else:
        raise TypeError(f"Expected a TensorData, got {type(dataset).__name__}.")
    return tuple(None if t is None else t.to(device) for t in tensors)


def _dense(X):
    """``X`` itself, or a sparse (COO) ``X`` made dense: one batch of it."""
    return X.to_dense() if X.is_sparse else X


class TensorBatches:
    """Minibatches of ``(X, y, w)`` tensors, shuffled by a local generator.

    Iterating gives skorch's batches, ``(X, y)``, with ``X`` a dict
    ``{"X": X, "sample_weight": w}`` when there are weights (the form
    skorch's documentation gives for sample weights); :meth:`triples`
    gives ``(X, y, w)`` to the net's own loop.

    Parameters
    ----------
    tensors : tuple of torch.Tensor or None
        ``(X, y, w)`` with a common first dimension; ``w`` may be None.
        ``X`` may be a sparse COO tensor: each minibatch is then made dense
        on its own, never the whole of ``X`` (unless one batch holds every
        row).
    batch_size : int
        Samples per minibatch (the last one may be smaller).
    shuffle : bool
        Draw a new permutation each epoch from ``generator`` (not when one
        batch holds every row).
    generator : torch.Generator or None
        CPU generator owned by the fit; the global RNG is never used.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral._training.data import TensorBatches
    >>> X, y = torch.arange(10.0).reshape(5, 2), torch.arange(5)
    >>> batches = TensorBatches((X, y, None), 2, shuffle=False, generator=None)
    >>> [tuple(b[1].tolist()) for b in batches]
    [(0, 1), (2, 3), (4,)]
    >>> w = torch.ones(5)
    >>> xb, yb = next(iter(TensorBatches((X, y, w), 2, False, None)))
    >>> sorted(xb)
    ['X', 'sample_weight']
    """

    def __init__(self, tensors, batch_size, shuffle, generator):
        self.tensors = tensors
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.generator = generator
        self.n_samples = tensors[0].shape[0]

    def __len__(self):
        return -(-self.n_samples // self.batch_size)

    def __iter__(self):
        for X, y, w in self.triples():
            yield (X if w is None else {"X": X, "sample_weight": w}), y

    def triples(self):
        """Yield the minibatches as ``(X, y, w)``, ``w`` None without weights.

        Yields
        ------
        tuple of torch.Tensor or None
            One minibatch.
        """
        X, y, w = self.tensors
        n, size = self.n_samples, self.batch_size
        if size >= n:
            # one batch of every row: its mean is the same in any order, so
            # no permutation is drawn (the default batch of a data set of
            # at most 200 rows)
            yield _dense(X), y, w
            return
        if not self.shuffle:
            for start in range(0, n, size):
                stop = start + size
                rows = (
                    _dense(X.index_select(0, torch.arange(start, min(stop, n))))
                    if X.is_sparse
                    else X[start:stop]
                )
                yield (
                    rows,
                    None if y is None else y[start:stop],
                    None if w is None else w[start:stop],
                )
            return
        order = torch.randperm(n, generator=self.generator).to(X.device)
        # index_select: the rows X[index] gives, without the cost of
        # Python's indexing protocol (an epoch of iris's two batches,
        # shuffle included: 28 -> 17 us, timeit over 5000 epochs)
        for index in order.split(size) if n > size else (order,):
            yield (
                _dense(X.index_select(0, index)),
                None if y is None else y.index_select(0, index),
                None if w is None else w.index_select(0, index),
            )
