"""Probe SPARCS training defaults on the paper's linear-to-non-linear task.

Target (SPARCS paper, section 5, with w = 1 and g(x) = x . x)::

    y = 1/4 (1 - tanh(beta (a - 1/2))) (x1 + x2)
      + 1/4 (1 + tanh(beta (a - 1/2))) (x1^2 + x2^2),   x ~ U([-1, 1]^2)

Training is a plain torch loop that mirrors what the scikit-learn side does with
skorch: Adam, shuffled minibatches, loss = mean MSE of the batch
+ alpha * net.penalty(kind) + alpha_phi * net.phi_penalty() (Keras style, per
batch). Reports the found architecture, held-out R^2 and fit time.

The script's defaults are the recommended auto-depth defaults: ReLU, Adam
lr 1e-3, batch 128, 100 epochs, group penalty 1e-4 on the hidden eigenvalues,
hidden eigenvalues drawn from U(-0.1, 0.1) (an exact zero start leaves the
hidden layers unrecruited under any eigenvalue penalty tried, 1e-6..1e-3),
zero biases, threshold rtol 1e-2. ``--quick`` is a smoke test only (too short
to converge).

Example::

    python benchmarks/sparcs_defaults_probe.py --quick
    python benchmarks/sparcs_defaults_probe.py --hidden 100 64,64 --seeds 0 1 2
"""

import argparse
import itertools
import time

import numpy as np
import torch

from sklearn_spectral.nn.sparcs import SparcsNetwork


def make_data(a, beta, n, seed):
    """Return ``(X, y)`` float32 arrays of the paper's task."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    t = np.tanh(beta * (a - 0.5))
    y = 0.25 * (1 - t) * x.sum(1) + 0.25 * (1 + t) * (x**2).sum(1)
    return x.astype(np.float32), y[:, None].astype(np.float32)


def fit(x, y, hidden, args, seed):
    """Train a SparcsNetwork; return it, the fit time and epochs run."""
    gen = torch.Generator().manual_seed(seed)
    net = SparcsNetwork(
        (x.shape[1], *hidden, 1),
        activation=args.activation,
        generator=gen,
        hidden_bias_init=args.hidden_bias_init,
        hidden_eig_init=args.hidden_eig_init,
    )
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    n = len(xt)
    start = time.perf_counter()
    for _ in range(args.epochs):
        order = torch.randperm(n, generator=gen)
        for s in range(0, n, args.batch_size):
            idx = order[s : s + args.batch_size]
            loss = torch.mean((net(xt[idx]) - yt[idx]) ** 2)
            if args.alpha:
                loss = loss + args.alpha * net.penalty(args.penalty)
            if args.alpha_phi:
                loss = loss + args.alpha_phi * net.phi_penalty()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net, time.perf_counter() - start


def r2(net, x, y):
    """Coefficient of determination of ``net`` on ``(x, y)``."""
    with torch.no_grad():
        pred = net(torch.from_numpy(x)).numpy()
    return 1.0 - ((pred - y) ** 2).sum() / ((y - y.mean()) ** 2).sum()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few epochs, 1 seed")
    parser.add_argument("--hidden", nargs="+", default=["100", "64,64"])
    parser.add_argument("--a", nargs="+", type=float, default=[0.0, 1.0])
    parser.add_argument("--beta", nargs="+", type=float, default=[5.0, 1000.0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--penalty", default="group", choices=["l1", "l2", "group"])
    parser.add_argument("--alpha", type=float, default=1e-4)
    parser.add_argument("--alpha-phi", type=float, default=0.0)
    parser.add_argument("--activation", default="relu")
    parser.add_argument("--hidden-bias-init", type=float, default=0.0)
    parser.add_argument("--hidden-eig-init", type=float, default=0.1)
    parser.add_argument("--rtol", type=float, default=1e-2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.seeds, args.n = 20, args.seeds[:1], 2_000
    torch.set_num_threads(args.threads)
    print(
        f"# epochs={args.epochs} batch={args.batch_size} lr={args.lr} "
        f"penalty={args.penalty} alpha={args.alpha} alpha_phi={args.alpha_phi} "
        f"activation={args.activation} hidden_bias_init={args.hidden_bias_init} "
        f"hidden_eig_init={args.hidden_eig_init} "
        f"rtol={args.rtol} n={args.n}"
    )
    print(
        "| hidden | a | beta | seed | architecture | R2 test | max hidden |lam| "
        "| max output |lam| | path strength | fit s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for h, a, beta, seed in itertools.product(
        args.hidden, args.a, args.beta, args.seeds
    ):
        hidden = tuple(int(s) for s in h.split(",") if s)
        x, y = make_data(a, beta, args.n, seed)
        xte, yte = make_data(a, beta, 2_000, seed + 1000)
        net, secs = fit(x, y, hidden, args, seed)
        hid = net.neuron_eigenvalues()
        max_hidden = max(float(e.max()) for e in hid) if hid else 0.0
        print(
            f"| {h} | {a:g} | {beta:g} | {seed} | {net.architecture(args.rtol)} "
            f"| {r2(net, xte, yte):.4f} | {max_hidden:.2e} "
            f"| {float(net.lam[-1].detach().abs().max()):.3f} "
            f"| {net.hidden_path_strength():.3e} | {secs:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
