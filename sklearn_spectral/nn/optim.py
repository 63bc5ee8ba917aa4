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
groups are never found by position.

Only torch's public API is used. The step is Adam's through torch's
functional :func:`torch.optim.adam.adam` (fused where the running torch has
the fused kernel, :func:`fast_adam_options`) on Adam state this optimizer
makes; the proximal step reads that state's second moment. Options the
functional step does not cover (``maximize``, ``capturable``...) go through
:meth:`torch.optim.Adam.step`, and then the second moment is kept here, for
the penalised parameters only (under its own keys of ``state``), rather
than read from Adam's internal state. One-time probes check both against
Adam's formula and fall back to torch's general code.
This module imports torch only.
"""

from __future__ import annotations

import math

import torch
from torch.optim import optimizer as torch_optimizer
from torch.optim.adam import adam

from .penalties import L1, _soft_threshold, soft_threshold_

__all__ = ["ProximalAdam", "fast_adam_options", "soft_threshold_"]

#: The keys of the second moment this optimizer keeps for the proximal step
#: (Adam's own state is never read).
_SQ, _T = "prox_exp_avg_sq", "prox_step"

_FAST = {}


def fast_adam_options(device="cpu", dtype=torch.float32):
    """The fastest Adam implementation this torch offers on ``device``.

    A one-time probe per process and device type: ``fused=True`` when
    torch's fused Adam runs there (torch >= 2.4 on the CPU) and gives the
    same step as the reference ``foreach=False`` loop, else
    ``foreach=True`` under the same check, else ``{}`` (torch's default).

    Parameters
    ----------
    device : str or torch.device, default="cpu"
        The parameters' device.
    dtype : torch.dtype, default=torch.float32
        The parameters' dtype.

    Returns
    -------
    dict
        Keyword arguments for :class:`torch.optim.Adam`.

    See Also
    --------
    ProximalAdam : The optimizer that uses them.

    Examples
    --------
    >>> from sklearn_spectral.nn.optim import fast_adam_options
    >>> fast_adam_options() in ({"fused": True}, {"foreach": True}, {})
    True
    """
    device = torch.device(device)
    key = (device.type, dtype)
    if key not in _FAST:
        _FAST[key] = _probe_adam(device, dtype)
    return dict(_FAST[key])


def _probe_adam(device, dtype):
    def run(**options):
        gen = torch.Generator().manual_seed(0)
        p = torch.nn.Parameter(torch.randn(7, generator=gen, dtype=dtype).to(device))
        grad = torch.randn(7, generator=gen, dtype=dtype).to(device)
        # ProximalAdam: torch.optim.Adam's constructor imports torch._dynamo
        opt = ProximalAdam([p], lr=0.1, weight_decay=0.01, **options)
        for k in range(3):
            p.grad = grad * (k + 1)
            opt.step()
        return p.detach()

    try:
        reference = run(foreach=False)
    except Exception:  # pragma: no cover - no Adam at all
        return {}
    tol = {"rtol": 1e-4, "atol": 1e-6} if dtype != torch.float64 else {}
    for options in ({"fused": True}, {"foreach": True}):
        try:
            if torch.allclose(run(**options), reference, **tol):
                return options
        except Exception:  # not implemented on this torch or device
            continue
    return {}


_FUNCTIONAL_MATCHES = []

#: Largest tensor of a proximal group that takes Adam's formula written out
#: (:meth:`ProximalAdam._small_prox_step`) instead of a functional call.
_SMALL = 4096


def _same_device_dtype(tensors):
    return len({(t.device, t.dtype) for t in tensors}) <= 1


def _functional_matches_adam():
    """One-time probe: the functional step follows Adam's formula.

    Three steps on a few float64 numbers against Adam's update written in
    Python floats (the algorithm ``torch.optim.Adam`` documents); the test
    suite compares the two optimizers themselves.
    """
    if not _FUNCTIONAL_MATCHES:
        try:
            lr, (b1, b2), eps, decay = 0.1, (0.8, 0.9), 1e-8, 0.01
            start = [0.5, -1.25, 2.0]
            grads = [[0.3, -0.2, 1.5], [-0.7, 0.1, 0.2], [0.05, 0.4, -1.0]]
            expected, m, v = list(start), [0.0] * 3, [0.0] * 3
            for t, g in enumerate(grads, start=1):
                for i in range(3):
                    gi = g[i] + decay * expected[i]
                    m[i] = b1 * m[i] + (1 - b1) * gi
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                    m_hat, v_hat = m[i] / (1 - b1**t), v[i] / (1 - b2**t)
                    expected[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
            # a plain group (the functional call) and a proximal group at
            # strength 0 (the formula written out): both must be Adam's
            plain, small = (
                torch.nn.Parameter(torch.tensor(start, dtype=torch.float64))
                for _ in range(2)
            )
            # explicit foreach: no implementation probe from in here
            opt = ProximalAdam(
                [{"params": [plain]}, {"params": [small], "penalty": L1(0.0)}],
                lr=lr,
                betas=(b1, b2),
                eps=eps,
                weight_decay=decay,
                foreach=False,
            )
            with torch.no_grad():
                for g in grads:
                    plain.grad = torch.tensor(g, dtype=torch.float64)
                    small.grad = torch.tensor(g, dtype=torch.float64)
                    opt._functional_step()
            expected = torch.tensor(expected, dtype=torch.float64)
            ok = all(
                torch.allclose(p.detach(), expected, rtol=1e-12, atol=1e-15)
                for p in (plain, small)
            )
            _FUNCTIONAL_MATCHES.append(bool(ok))
        except Exception:  # an incompatible torch: use Adam.step
            _FUNCTIONAL_MATCHES.append(False)
    return _FUNCTIONAL_MATCHES[0]


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
    lr : float, default=1e-3
        Learning rate.
    betas : tuple of float, default=(0.9, 0.999)
        Adam's first- and second-moment decays (scikit-learn's ``beta_1``,
        ``beta_2``).
    eps : float, default=1e-8
        Adam's denominator term (scikit-learn's ``epsilon``).
    weight_decay : float, default=0.0
        Adam's (coupled) weight decay.
    fused, foreach : bool or None, default=None
        Torch's implementation of its step when it runs; both None pick
        the fastest one the running torch has (:func:`fast_adam_options`).
    functional : bool, default=True
        Take Adam's step through torch's functional
        :func:`torch.optim.adam.adam` on state made here
        (:meth:`_functional_step`) where a group's options are plain (no
        ``amsgrad``, ``maximize``, ``capturable``, ``differentiable``,
        decoupled weight decay or tensor ``lr``) and a one-time probe found
        it to follow Adam's formula; otherwise (or False) through
        :meth:`torch.optim.Adam.step`. Both give Adam's numbers.
    **kwargs
        Passed to :class:`torch.optim.Adam`. ``amsgrad`` is not supported.

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

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        *,
        fused=None,
        foreach=None,
        functional=True,
        **kwargs,
    ):
        if kwargs.get("amsgrad", False):
            raise ValueError("ProximalAdam does not support amsgrad=True.")
        params = list(params)
        tensors = [
            t
            for entry in params
            for t in (entry["params"] if isinstance(entry, dict) else [entry])
        ]
        tensors = [t for t in tensors if isinstance(t, torch.Tensor)]
        if fused is None and foreach is None and tensors:
            first = tensors[0]
            uniform = all(
                t.device == first.device and t.dtype == first.dtype for t in tensors
            )
            if uniform and not kwargs.get("differentiable"):
                options = fast_adam_options(first.device, first.dtype)
                fused, foreach = options.get("fused"), options.get("foreach")
        self.functional = bool(functional)
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            fused=fused,
            foreach=foreach,
            **kwargs,
        )

    def __getstate__(self):
        # torch's Optimizer pickles only defaults, state and param_groups;
        # a pickled estimator's partial_fit needs ``functional`` too
        state = super().__getstate__()
        state["functional"] = self.functional
        return state

    def __setstate__(self, state):
        state = dict(state)
        self.functional = bool(state.pop("functional", True))
        super().__setstate__(state)

    def add_param_group(self, param_group):
        """Add a group, as :meth:`torch.optim.Optimizer.add_param_group` does.

        The same checks and defaults, written here: torch's method imports
        ``torch._dynamo`` on its first call (for ``torch.compile``), which
        took 1.1-3.7 s of a process's first fit (``python -c`` with
        ``"torch._dynamo" in sys.modules`` checked after the fit). The
        group gets ``"penalty": None`` unless it has one.

        Parameters
        ----------
        param_group : dict
            The group: ``"params"`` (a tensor or an ordered iterable of
            leaf tensors) and any option of the optimizer.
        """
        if not isinstance(param_group, dict):
            raise TypeError(
                f"param_group must be a dict, got {type(param_group).__name__}."
            )
        params = param_group["params"]
        if isinstance(params, torch.Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "param_group['params'] must be an ordered collection of tensors, "
                "not a set (its order changes between runs)."
            )
        params = list(params)
        for param in params:
            if not isinstance(param, torch.Tensor):
                raise TypeError(
                    "ProximalAdam optimizes tensors, but a parameter is a "
                    f"{type(param).__name__}."
                )
            if not self.defaults.get("differentiable") and not (
                param.is_leaf or param.retains_grad
            ):
                raise ValueError("ProximalAdam can't optimize a non-leaf tensor.")
        if len({id(p) for p in params}) != len(params):
            raise ValueError("A parameter group holds a parameter twice.")
        taken = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError("Some parameters appear in more than one group.")
        param_group["params"] = params
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        param_group.setdefault("penalty", None)
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients, as :meth:`torch.optim.Optimizer.zero_grad`.

        A plain loop: torch's method imports ``torch._dynamo`` on its first
        call, as :meth:`add_param_group` does.

        Parameters
        ----------
        set_to_none : bool, default=True
            Set the gradients to None instead of zeroing them.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if p.grad.grad_fn is not None:
                    p.grad.detach_()
                else:
                    p.grad.requires_grad_(False)
                p.grad.zero_()

    def step(self, closure=None):
        """Take one Adam step, then the proximal step of every penalised group.

        The proximal step of a parameter is taken in Adam's metric: with the
        per-coordinate step ``lr / (sqrt(v_hat) + eps)``, where ``v_hat`` is
        the bias-corrected running mean of the squared gradients (Adam's
        second moment).

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
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        if torch.is_grad_enabled():
            # a check instead of a no_grad decorator on every call: the
            # training loop steps under no_grad already
            with torch.no_grad():
                self._update()
        else:
            self._update()
        return loss

    def has_step_hooks(self):
        """Whether a step hook would run around :meth:`step`.

        torch wraps every optimizer's ``step`` in a function that opens a
        profiler range (``record_function``) and runs the step hooks (this
        optimizer's, :meth:`register_step_pre_hook`, and torch's global
        ones, ``torch.optim.optimizer.register_optimizer_step_pre_hook``).
        torch has no public way to list the hooks: this reads the four
        registries torch keeps them in, and answers True when any of them
        is not found (another torch), so the hooks are never skipped.

        Returns
        -------
        bool
            False when :meth:`step_without_hooks` is the same step.
        """
        registries = (
            getattr(self, "_optimizer_step_pre_hooks", None),
            getattr(self, "_optimizer_step_post_hooks", None),
            getattr(torch_optimizer, "_global_optimizer_pre_hooks", None),
            getattr(torch_optimizer, "_global_optimizer_post_hooks", None),
        )
        return any(registry is None or len(registry) for registry in registries)

    def step_without_hooks(self):
        """:meth:`step` without torch's wrapper; call under ``no_grad``.

        The same Adam and proximal steps, without the profiler range and
        hook loops torch wraps around :meth:`step`; a caller uses it only
        while :meth:`has_step_hooks` is False. The wrapper took 0.11-0.16
        ms of a 0.4-0.46 ms default step (iris, digits; in-process A/B,
        min of 15 x 200 steps, 1 thread, shared 2-core machine).
        """
        self._update()

    def _update(self):
        """Adam's step and the proximal steps, under ``no_grad``."""
        if self._functional_applies():
            self._functional_step()
        else:
            self._torch_step()

    def _functional_applies(self):
        """Whether :meth:`_functional_step` is Adam's step for every group."""
        if not self.functional:
            return False
        for group in self.param_groups:  # a plain loop: it runs every step
            if (
                group["amsgrad"]
                or group["maximize"]
                or group["capturable"]
                or group["differentiable"]
                or group.get("decoupled_weight_decay", False)
                or torch.is_tensor(group["lr"])
            ):
                return False
            if group["fused"]:
                # the fused kernel wants one device and dtype per call; the
                # answer is kept while the group holds the same tensors
                cache = self.__dict__.setdefault("_uniform", {})
                key = (id(group), tuple(map(id, group["params"])))
                if key not in cache:
                    if len(cache) > 64:
                        cache.clear()
                    cache[key] = _same_device_dtype(group["params"])
                if not cache[key]:
                    return False
        return _functional_matches_adam()

    def _functional_step(self):
        """Adam's step through :func:`torch.optim.adam.adam`, then the prox.

        The functional form of :meth:`torch.optim.Adam.step` (the same
        kernels, fused where the group asks for it) on state this optimizer
        makes: Adam's ``step``, ``exp_avg`` and ``exp_avg_sq`` of each
        parameter, so ``state_dict`` is an Adam state. It skips the step
        method's wrapper, which imports ``torch._dynamo`` on its first call
        (1.1-3.7 s of a process's first fit). Groups that differ only in
        their (coupled) weight decay share one call, the decay added to
        their gradients as Adam adds it: each call costs more than its
        kernel on the small networks of tabular data. The small tensors of
        a group with a proximal penalty (the input eigenvalues) take
        Adam's formula written out instead (:meth:`_small_prox_step`),
        which gives the proximal step its metric for free.
        """
        calls = {}
        for group in self.param_groups:
            penalty = group["penalty"]
            if (
                penalty is not None
                and not penalty.smooth
                and all(p.numel() <= _SMALL for p in group["params"])
            ):
                self._small_prox_step(group)
                continue
            decay = group["weight_decay"]
            beta1, beta2 = group["betas"]
            key = (
                group["lr"],
                beta1,
                beta2,
                group["eps"],
                group["foreach"],
                group["fused"],
            )
            call = calls.get(key)
            if call is None:
                call = calls[key] = ([], [], [], [], [], [])
            params, grads, exp_avgs, exp_avg_sqs, steps, prox = call
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self._adam_state(p)
                params.append(p)
                grads.append(grad if decay == 0 else grad.add(p, alpha=decay))
                exp_avgs.append(state["exp_avg"])
                exp_avg_sqs.append(state["exp_avg_sq"])
                steps.append(state["step"])
            if penalty is not None and not penalty.smooth and penalty.coef > 0:
                prox.append(group)
        for (lr, beta1, beta2, eps, foreach, fused), call in calls.items():
            if not call[0]:
                continue
            adam(
                *call[:4],
                [],
                call[4],
                foreach=foreach,
                fused=fused,
                amsgrad=False,
                beta1=beta1,
                beta2=beta2,
                lr=lr,
                weight_decay=0.0,
                eps=eps,
                maximize=False,
            )
            for group in call[5]:
                self._prox_after_adam(group)

    def _adam_state(self, p):
        state = self.state[p]
        if not state:
            state["step"] = torch.zeros((), dtype=torch.float32)
            state["exp_avg"] = torch.zeros_like(p)
            state["exp_avg_sq"] = torch.zeros_like(p)
        return state

    def _prox_after_adam(self, group):
        """The proximal step of a group in the metric of its Adam state."""
        penalty, lr = group["penalty"], group["lr"]
        eps, beta2 = group["eps"], group["betas"][1]
        for p in group["params"]:
            state = self.state.get(p)
            if p.grad is None or not state:
                continue
            bias = 1.0 - beta2 ** float(state["step"])
            # lr / (sqrt(v / bias) + eps): the step of Adam's metric
            step = (state["exp_avg_sq"] / bias).sqrt_().add_(eps)
            penalty.prox(p, step.reciprocal_().mul_(lr))

    def _small_prox_step(self, group):
        """Adam's formula written out for small tensors, then their prox.

        torch's single-tensor Adam update (``lerp_``, ``addcmul_``,
        ``addcdiv_``) with the denominator ``sqrt(v_hat) + eps`` computed
        once for the update and the proximal step: for the few input
        eigenvalues this replaced a functional Adam call and the proximal
        step's own kernels (0.22 -> 0.11 ms of a default iris step, 1
        thread, in-process A/B, min of 5 x 300 steps).
        """
        penalty = group["penalty"]
        lr, eps, decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        prox = penalty.coef > 0
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            state = self._adam_state(p)
            step_t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
            step_t += 1
            t = float(step_t)
            if decay != 0:
                grad = grad.add(p, alpha=decay)
            m.lerp_(grad, 1 - beta1)
            v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = (v / (1 - beta2**t)).sqrt_().add_(eps)
            p.addcdiv_(m, denom, value=-lr / (1 - beta1**t))
            if prox:
                # lr / (sqrt(v_hat) + eps): the step of Adam's metric
                step = denom.reciprocal_().mul_(lr)
                if type(penalty) is L1:
                    # L1.prox's soft threshold without its no_grad
                    # decorator (the caller is under no_grad): the same
                    # kernels, and a context switch less a step
                    _soft_threshold(p, penalty.coef * step)
                else:
                    penalty.prox(p, step)

    def _torch_step(self):
        """:meth:`torch.optim.Adam.step`, then the prox in Adam's metric.

        Adam's state is not read: the second moment of each penalised
        parameter is kept here (state keys ``"prox_exp_avg_sq"``,
        ``"prox_step"``), from its first step on, also while the
        schedule holds the strength at 0.
        """
        groups = [
            group
            for group in self.param_groups
            if (penalty := group.get("penalty")) is not None and not penalty.smooth
        ]
        # the gradient Adam's coupled weight decay sees, before the step
        grads = [
            [
                None
                if p.grad is None
                else (
                    p.grad
                    if not group["weight_decay"]
                    else p.grad + group["weight_decay"] * p
                )
                for p in group["params"]
            ]
            for group in groups
        ]
        super().step()
        for group, group_grads in zip(groups, grads):
            penalty = group["penalty"]
            lr, eps, beta2 = group["lr"], group["eps"], group["betas"][1]
            for p, grad in zip(group["params"], group_grads):
                if grad is None:
                    continue
                state = self.state[p]
                sq = state.get(_SQ)
                if sq is None:
                    sq = state[_SQ] = torch.zeros_like(p)
                    state[_T] = 0
                state[_T] += 1
                sq.mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
                if penalty.coef <= 0:
                    continue
                bias = 1.0 - beta2 ** state[_T]
                step = (sq / bias).sqrt_().add_(eps).reciprocal_().mul_(lr)
                penalty.prox(p, step)
