"""Adam followed by the proximal step of each parameter group's penalty.

Plain Adam on a loss with an ``alpha * |theta|`` term oscillates around zero
and never reaches it. Proximal gradient methods (ISTA, LassoNet, skglm) take
the gradient step on the smooth loss only and then apply the proximal
operator of the non-smooth term, which yields exact zeros.

Here the gradient step is Adam's, i.e. a step preconditioned by the diagonal
metric ``D = (sqrt(v_hat) + eps) / lr``: the proximal step of a group is
taken with the per-coordinate step ``lr / (sqrt(v_hat) + eps)``. For the L1
penalty this is a soft threshold of ``lr * alpha / (sqrt(v_hat) + eps)``: a
coordinate is set to exactly zero when its smooth gradient is, in Adam's
normalised units, smaller than the penalty (the Lasso optimality condition
``|g| <= alpha``).

A parameter group carries its penalty object under the key ``"penalty"``
(see :mod:`sklearn_spectral.nn.penalties`) and its name under ``"name"``;
groups are never found by position. This module imports torch and numpy.
"""

from __future__ import annotations

import numpy as np
import torch

from .penalties import L1, soft_threshold_

__all__ = ["ProximalAdam", "soft_threshold_"]


#: dtypes whose arithmetic numpy and torch round alike (IEEE single and
#: double: +, -, *, / and sqrt correctly rounded, Python scalars cast to
#: the array's dtype).
_NUMPY_DTYPES = (torch.float32, torch.float64)


def _l1_prox_cpu(param, exp_avg_sq, bias, eps, lr, coef):
    """The L1 proximal step in Adam's metric, in numpy on the CPU tensors.

    The same operations, in the same order and precision, as
    ``step = lr * (1 / (sqrt(v / bias) + eps))`` followed by
    ``L1.prox(param, step)`` (``param - clamp(param, -coef * step, coef *
    step)``), hence the same numbers (``tests/test_engine.py``); numpy runs
    eight of the nine element-wise operations on a layer's few eigenvalues
    at a fraction of torch's dispatch cost (timeit, 13 inputs: 24 us all
    in torch, 11 us so).
    """
    t = param.detach().numpy()
    # torch computes silently through overflow and inf; so does this
    with np.errstate(all="ignore"):
        step = exp_avg_sq.numpy() / bias
        # torch's vectorised sqrt is not numpy's correctly rounded one (they
        # differ in the last bit for 15% of float32 inputs): torch's kernel
        # on a tensor of the same shape
        torch.from_numpy(step).sqrt_()
        step += eps
        np.reciprocal(step, out=step)
        step *= lr
        threshold = coef * step
        t -= np.minimum(np.maximum(t, -threshold), threshold)
    # numpy writes through the shared memory: tell autograd, as an
    # in-place torch op would
    torch.autograd.graph.increment_version(param)


#: ``Optimizer.add_param_group`` without the wrapper that imports
#: ``torch._dynamo`` on its first call (torch's ``_disable_dynamo``, which
#: matters only under ``torch.compile``): that import took 1.1 s of a
#: process's first default fit (iris: 1.20 s, then 0.11 s; ``python -c``
#: with ``"torch._dynamo" in sys.modules`` checked after the fit).
_optimizer_add_param_group = getattr(
    torch.optim.Optimizer.add_param_group,
    "__wrapped__",
    torch.optim.Optimizer.add_param_group,
)


class ProximalAdam(torch.optim.Adam):
    """Adam followed by the proximal step of every penalised group.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups, as for :class:`torch.optim.Adam`. A
        group may carry a ``"penalty"``: a
        :class:`~sklearn_spectral.nn.penalties.Penalty` whose ``prox`` is
        applied to each of the group's parameters after each Adam step when
        the penalty is not smooth and its strength is positive (smooth
        penalties enter the loss instead).
    **kwargs
        Passed to :class:`torch.optim.Adam` (``lr``, ``betas``, ``eps``,
        ``weight_decay``...). ``amsgrad`` is not supported.

    See Also
    --------
    sklearn_spectral.nn.penalties.L1 : The soft threshold penalty.
    sklearn_spectral.nn.penalties.GroupL2 : The block soft threshold penalty.
    torch.optim.Adam : The optimiser whose step comes first.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.penalties import L1
    >>> w = torch.nn.Parameter(torch.tensor([1e-4, 2.0]))
    >>> opt = ProximalAdam([{"params": [w], "penalty": L1(1.0)}], lr=0.1)
    >>> opt.zero_grad(); (w * 0).sum().backward(); _ = opt.step()
    >>> w.detach().tolist()[0]
    0.0
    """

    def __init__(self, params, **kwargs):
        if kwargs.get("amsgrad", False):
            raise ValueError("ProximalAdam does not support amsgrad=True.")
        super().__init__(params, **kwargs)
        for group in self.param_groups:
            group.setdefault("penalty", None)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients; with ``set_to_none`` a plain loop.

        :meth:`torch.optim.Optimizer.zero_grad` opens a profiler range and
        groups the tensors first, which costs more than the reset itself on
        the small networks this library trains.

        Parameters
        ----------
        set_to_none : bool, default=True
            Set the gradients to None instead of zero.
        """
        if not set_to_none:
            super().zero_grad(set_to_none=False)
            return
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    @torch.no_grad()
    def step(self, closure=None):
        """Take one Adam step, then the proximal step of every penalised group.

        Parameters
        ----------
        closure : callable, optional
            Closure that re-evaluates the model and returns the loss, as for
            :meth:`torch.optim.Adam.step`.

        Returns
        -------
        torch.Tensor or None
            The loss returned by ``closure``, or None without a closure.
        """
        if self._fused_path():
            loss = None
            if closure is not None:
                with torch.enable_grad():
                    loss = closure()
            self._fused_step()
        else:
            loss = super().step(closure)
        self._prox_step()
        return loss

    def step_unhooked(self):
        """:meth:`step` without a closure, its profiler range and hooks.

        ``torch.optim.Optimizer`` wraps every ``step`` in a profiler range
        and the loops over the step hooks; on the small networks of tabular
        data that wrapper cost a fifth of the optimizer's time (default
        classifier on iris: 0.12 ms per step with it, about 0.07 ms without
        it and with the cached lists of :meth:`_fused_step`). The training
        loop calls this when :meth:`has_step_hooks` is False.

        Returns
        -------
        None
            As :meth:`step` without a closure.
        """
        if torch.is_grad_enabled():  # the training loop runs it under no_grad
            with torch.no_grad():
                return self.step_unhooked()
        if self._fused_path():
            self._fused_step()
        else:
            super().step()
        self._prox_step()

    def has_step_hooks(self):
        """Whether a step hook (this optimizer's or global) is registered.

        Returns
        -------
        bool
            True when :meth:`step` must run through torch's wrapper.
        """
        from torch.optim import optimizer as _optimizer

        return bool(
            self._optimizer_step_pre_hooks
            or self._optimizer_step_post_hooks
            or getattr(_optimizer, "_global_optimizer_pre_hooks", None)
            or getattr(_optimizer, "_global_optimizer_post_hooks", None)
        )

    def _prox_step(self):
        """The proximal step of every penalised group, after Adam's.

        The per-coordinate step is ``lr / (sqrt(v_hat) + eps)``, computed
        in place in a temporary (the same kernels, hence numbers, as
        ``lr / ((v / bias).sqrt() + eps)``); the parameters and their
        second moments are listed once (:meth:`_prox_lists`): on the
        default classifier's iris step this took 0.04-0.06 ms before, half
        of the optimizer's time (``step_unhooked`` timed over 3000 steps).
        """
        for group, entries in self._prox_lists():
            penalty = group["penalty"]
            if penalty is None or penalty.smooth or penalty.coef <= 0:
                continue
            lr, eps, beta2 = group["lr"], group["eps"], group["betas"][1]
            l1 = type(penalty) is L1
            for p, exp_avg_sq, step_count in entries:
                bias = 1.0 - beta2 ** float(step_count)
                if l1 and p.device.type == "cpu" and p.dtype in _NUMPY_DTYPES:
                    _l1_prox_cpu(p, exp_avg_sq, bias, eps, lr, penalty.coef)
                    continue
                step = (exp_avg_sq / bias).sqrt_().add_(eps).reciprocal_().mul_(lr)
                penalty.prox(p, step)

    def _prox_lists(self):
        """``(group, [(param, exp_avg_sq, step)])`` for every group.

        Kept once every penalised parameter has its Adam state, until the
        groups or the state are replaced.
        """
        lists = getattr(self, "_prox", None)
        if lists is not None:
            return lists
        lists, complete = [], True
        for group in self.param_groups:
            entries = []
            for p in group["params"]:
                state = self.state.get(p)
                if not state or "exp_avg_sq" not in state:
                    complete = False
                    continue
                entries.append((p, state["exp_avg_sq"], state["step"]))
            lists.append((group, entries))
        if complete:
            self._prox = lists
        return lists

    def add_param_group(self, param_group):
        """Add a group, as :meth:`torch.optim.Optimizer.add_param_group`.

        Parameters
        ----------
        param_group : dict
            The group; it gets ``"penalty": None`` unless it has one.
        """
        _optimizer_add_param_group(self, param_group)
        param_group.setdefault("penalty", None)
        self._forget_lists()

    def load_state_dict(self, state_dict):
        """Load a state, as :meth:`torch.optim.Optimizer.load_state_dict`.

        Parameters
        ----------
        state_dict : dict
            A state returned by :meth:`state_dict`.
        """
        super().load_state_dict(state_dict)
        self._forget_lists()

    def __setstate__(self, state):
        super().__setstate__(state)
        self._forget_lists()

    def _forget_lists(self):
        self._lists = None
        self._counter = None
        self._prox = None

    def _fused_path(self):
        """Whether :meth:`_fused_step` applies: fused, float lr, no AMP."""
        if getattr(self, "grad_scale", None) is not None:
            return False
        for group in self.param_groups:  # a plain loop: it runs every step
            if (
                not group["fused"]
                or group["maximize"]
                or group["capturable"]
                or group["differentiable"]
                or group.get("decoupled_weight_decay", False)
                or torch.is_tensor(group["lr"])
            ):
                return False
        return True

    def _init_state(self, p):
        """The Adam state of ``p``, made as ``torch.optim.Adam`` makes it."""
        state = self.state[p]
        if not state:
            state["step"] = torch.zeros((), dtype=torch.float32, device=p.device)
            state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            state["exp_avg_sq"] = torch.zeros_like(
                p, memory_format=torch.preserve_format
            )
        return state

    def _state_lists(self):
        """Per group: its parameters and their Adam state, built once.

        The lists (and the state they hold) are made on the first step in
        which every parameter has a gradient, and kept until the groups or
        the state are replaced (:meth:`add_param_group`,
        :meth:`load_state_dict`); None while some parameter has none.
        """
        lists = getattr(self, "_lists", None)
        if lists is not None:
            return lists
        lists = []
        for group in self.param_groups:
            params = group["params"]
            if any(p.grad is None for p in params):
                return None
            if not params:
                continue
            for p in params:
                self._init_state(p)
            if len({(p.device, p.dtype) for p in params}) > 1:
                return None
            lists.append(
                (
                    group,
                    params,
                    [self.state[p]["exp_avg"] for p in params],
                    [self.state[p]["exp_avg_sq"] for p in params],
                    [self.state[p]["step"] for p in params],
                )
            )
        self._lists = lists
        self._counter = self._share_step_counts(lists)
        return lists

    def _share_step_counts(self, lists):
        """Make every parameter's step count a view of one tensor.

        Adam keeps one 0-dim step tensor per parameter and increments them
        all before each fused step; on the CPU ``_foreach_add_`` does that
        one kernel per tensor (20 us of a 0.07 ms optimizer step on iris).
        As views of one vector they take one ``add_``; their values, dtype
        and device are unchanged. Returns that vector, or None (then the
        counts are incremented one by one) when they do not share a device
        and dtype.
        """
        steps = [s for *_, group_steps in lists for s in group_steps]
        if not steps or len({(s.device, s.dtype, s.dim()) for s in steps}) > 1:
            return None
        if steps[0].dim() != 0:
            return None
        counter = torch.stack(steps)
        k = 0
        for index, (group, params, exp_avgs, exp_avg_sqs, group_steps) in enumerate(
            lists
        ):
            views = []
            for p in params:
                self.state[p]["step"] = counter[k]
                views.append(counter[k])
                k += 1
            lists[index] = (group, params, exp_avgs, exp_avg_sqs, views)
        self._prox = None  # it holds the step tensors too
        return counter

    def _fused_step(self):
        """Adam's fused kernel called directly, one call per group.

        The same kernel and arguments as ``torch.optim.Adam(fused=True)``
        (hence the same numbers, bit for bit), without the per-group
        bookkeeping of :meth:`torch.optim.Adam.step`, which costs more than
        the kernel on small networks: one step of the default classifier on
        iris took 0.43 ms in the optimizer before, most of it Python
        (``cProfile`` of ``SpectralMLPRegressor().fit`` on load_diabetes).
        Tensors of one group must share a device and a dtype; groups that
        do not fall back to :meth:`torch.optim.Adam.step`.
        """
        lists = self._state_lists()
        if lists is not None:
            grads = [[p.grad for p in params] for _, params, *_ in lists]
            # a parameter without a gradient this step is skipped, as
            # torch's Adam does, by the general path below
            if not any(g is None or g.is_sparse for gs in grads for g in gs):
                if self._counter is not None:
                    self._counter.add_(1)
                else:
                    torch._foreach_add_([s for *_, st in lists for s in st], 1)
                for (group, params, exp_avgs, exp_avg_sqs, group_steps), g in zip(
                    lists, grads
                ):
                    self._fused_adam(
                        group, params, g, exp_avgs, exp_avg_sqs, group_steps
                    )
                return
        calls, steps = [], []
        for group in self.param_groups:
            params, grads, exp_avgs, exp_avg_sqs, group_steps = [], [], [], [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self._init_state(p)
                params.append(p)
                grads.append(p.grad)
                exp_avgs.append(state["exp_avg"])
                exp_avg_sqs.append(state["exp_avg_sq"])
                group_steps.append(state["step"])
            if not params:
                continue
            if len({(p.device, p.dtype) for p in params}) > 1 or any(
                g.is_sparse for g in grads
            ):
                raise RuntimeError(
                    "ProximalAdam(fused=True) needs dense gradients and one device "
                    "and dtype per parameter group."
                )
            calls.append((group, params, grads, exp_avgs, exp_avg_sqs, group_steps))
            steps.extend(group_steps)
        if not calls:
            return
        torch._foreach_add_(steps, 1)
        for group, params, grads, exp_avgs, exp_avg_sqs, group_steps in calls:
            self._fused_adam(group, params, grads, exp_avgs, exp_avg_sqs, group_steps)

    @staticmethod
    def _fused_adam(group, params, grads, exp_avgs, exp_avg_sqs, steps):
        beta1, beta2 = group["betas"]
        torch._fused_adam_(
            params,
            grads,
            exp_avgs,
            exp_avg_sqs,
            [],
            steps,
            amsgrad=False,
            lr=group["lr"],
            beta1=beta1,
            beta2=beta2,
            weight_decay=group["weight_decay"],
            eps=group["eps"],
            maximize=False,
            grad_scale=None,
            found_inf=None,
        )
