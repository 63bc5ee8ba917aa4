"""A downstream-aware reading of input relevance: the network's own input gradient.

The first-layer reading ``r_j = |lam_j| ||phi[:, j]||`` measures how much an
input moves the first layer's pre-activations; it overstates an input whose
first-layer weights the next layers barely use. Since the outputs depend on
input ``j`` through ``d f / d x_j = lam_j J(x) phi[:, j]`` (``J`` the Jacobian
of the outputs with respect to the first layer's pre-activations), the root
mean square of that derivative over the training rows keeps the eigenvalue
story (a zero eigenvalue multiplies it: a zero relevance stays exactly zero)
and weighs each first-layer weight by how much the rest of the network uses
it. The derivative is taken through the network itself (autograd on its
input), so skip connections and auto-depth's gated networks need nothing of
their own.
"""

from __future__ import annotations

import torch

__all__ = ["input_gradient_relevance"]


def input_gradient_relevance(module, x, *, centre_outputs=False, chunk_rows=512):
    """Root mean square of the outputs' gradient with respect to each input.

    ``r_j = sqrt(mean_rows sum_k (d f_k / d x_j)^2)``: for each input the
    Euclidean norm over the outputs of the derivative, averaged in square
    over the rows of ``x``. It takes one forward pass and one backward pass
    per output over the rows.

    Parameters
    ----------
    module : torch.nn.Module
        The network; ``module(x)`` returns ``(n_rows, n_outputs)`` (or
        ``(n_rows,)``) outputs and is differentiable with respect to ``x``.
    x : torch.Tensor of shape (n_rows, n_inputs)
        The rows at which the derivative is averaged (in the dtype the
        module takes).
    centre_outputs : bool, default=False
        Subtract, row by row, the mean over the outputs of the derivative
        before its norm: for softmax logits, whose common shift changes no
        probability (only the differences between classes carry
        information).
    chunk_rows : int, default=512
        Rows per forward/backward pass (bounds the memory to a few
        ``chunk_rows x n_inputs`` tensors).

    Returns
    -------
    torch.Tensor of shape (n_inputs,)
        Non-negative float64 relevance of each input (detached); all zeros
        when ``x`` has no rows.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Linear(3, 1, bias=False)
    >>> with torch.no_grad():
    ...     _ = net.weight.copy_(torch.tensor([[2.0, 0.0, -1.0]]))
    >>> input_gradient_relevance(net, torch.ones(5, 3)).tolist()
    [2.0, 0.0, 1.0]
    """
    n_rows, n_inputs = x.shape
    total = torch.zeros(n_inputs, dtype=torch.float64, device=x.device)
    if n_rows == 0:
        return total.cpu()
    was_training = module.training
    module.eval()
    try:
        with torch.enable_grad():
            for start in range(0, n_rows, int(chunk_rows)):
                rows = x[start : start + int(chunk_rows)].detach().clone()
                rows.requires_grad_(True)
                out = module(rows)
                if out.dim() == 1:
                    out = out[:, None]
                n_outputs = out.shape[1]
                squares = torch.zeros_like(rows, dtype=torch.float64)
                sums = torch.zeros_like(rows, dtype=torch.float64)
                for k in range(n_outputs):
                    (grad,) = torch.autograd.grad(
                        out[:, k].sum(), rows, retain_graph=k + 1 < n_outputs
                    )
                    grad = grad.double()
                    squares += grad * grad
                    if centre_outputs:
                        sums += grad
                if centre_outputs and n_outputs > 1:
                    # sum_k (g_k - mean g)^2 = sum_k g_k^2 - K (mean g)^2
                    squares -= sums * sums / n_outputs
                total += squares.clamp_min_(0.0).sum(dim=0)
    finally:
        module.train(was_training)
    return (total / n_rows).sqrt().detach().cpu()
