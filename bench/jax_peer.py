"""The JAX peer of `hessian-boundary bench` (issue 6): the same workloads, timed with JAX on CPU.

Reads the trained states that `hessian-boundary bench --export DIR` wrote (DIR/WORKLOAD.json: the
architecture, the training split, theta at the trained state, our top-10 eigenvectors, the number of
Lanczos steps ours used, the field's grid) and prints one JSON line per workload in the same shape as
ours. Run by `cargo xtask bench`, which installs jax and numpy with pip into target/bench-venv.

Setting: float64 (jax_enable_x64), every timed function jitted. With `--threads 1` (the default)
single-threaded: XLA_FLAGS `--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1`,
OMP/OPENBLAS/MKL threads = 1, and the process pinned to one CPU (sched_setaffinity), since XLA does not
honour the flags everywhere; with `--threads all`, XLA's defaults on every core. Each line says which
(`threads`: 1 or the core count). Each timing
is the median of `--repeats` calls after a warm-up call (the jit compile), each call ended with
block_until_ready.

What is timed (theta is our trained state, so the spectrum is the real one):
  forward_s        jit of the logits over the whole training split
  grad_s           jit(grad(mean CE loss)) over the whole training split
  hvp_s            jit(jvp of grad): one Hessian-vector product (forward-over-reverse, like ours)
  epoch_s          one epoch of minibatch SGD, batch and lr of our config, seeded shuffle, a jitted
                   update per minibatch (from a fresh PyTorch-default initialization)
  lanczos_top10_s  Lanczos with full reorthogonalization (twice, like ours) for the same number of
                   steps ours needed to converge, one jitted lax.fori_loop, then the Ritz pairs and one
                   residual HVP each: the same number of HVPs as ours (lanczos_hvps)
  field_s          the alignment fields: per-sample gradients g(x) for the predicted label, vmap'ed over
                   the 128x128 grid (in chunks of 1024 points, lax.map), dotted with our 10 eigenvectors,
                   divided by the norms: cos(g, v_i)
  dense_s          the authors' dense route: jax.hessian (p x p) + numpy.linalg.eigh (all pairs); once,
                   only where p <= --dense-max-p (see dense_note)
  peak_rss_mb      ru_maxrss of the process (one process per workload)
"""

import os
import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

WORKLOADS = ["gaussian", "iris", "digits"]


def log(msg):
    print(f"jax: {msg}", file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="directory of WORKLOAD.json files from `hessian-boundary bench --export`")
    ap.add_argument("--workload", help="run only this workload in this process")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="one repeat, no dense route")
    ap.add_argument("--dense-max-p", type=int, default=12000,
                    help="largest p for jax.hessian + eigh (default 12000: the gaussian setting, ~1 GB H)")
    ap.add_argument("--chunk", type=int, default=1024, help="grid points per vmap chunk of the field")
    ap.add_argument("--threads", choices=["1", "all"], default="1", help="one pinned thread, or XLA's defaults")
    args = ap.parse_args()
    # Before jax is imported (in run): XLA reads these once.
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    if args.threads == "1":
        os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                    "NUMEXPR_NUM_THREADS"):
            os.environ.setdefault(var, "1")
    if args.workload is None:
        # One child process per workload, so peak memory is per workload.
        for name in WORKLOADS:
            path = os.path.join(args.data, f"{name}.json")
            if not os.path.exists(path):
                log(f"{path} missing: skipped")
                continue
            cmd = [sys.executable, __file__, "--data", args.data, "--workload", name, "--repeats", str(args.repeats),
                   "--dense-max-p", str(args.dense_max_p), "--chunk", str(args.chunk), "--threads", args.threads]
            if args.quick:
                cmd.append("--quick")
            r = subprocess.run(cmd)
            if r.returncode != 0:
                sys.exit(f"jax_peer: the {name} workload failed ({r.returncode})")
        return
    if args.threads == "1":
        try:
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        except (AttributeError, OSError):
            pass
    print(json.dumps(run(args)), flush=True)


def median_time(f, repeats):
    times = []
    for _ in range(max(1, repeats)):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run(args):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpy as np
    from jax import lax

    with open(os.path.join(args.data, f"{args.workload}.json")) as f:
        ex = json.load(f)
    assert ex["activation"] == "relu" and ex["loss"] == "ce", "the peer implements the workloads' ReLU + cross-entropy"
    assert ex["optimizer"] == "sgd"
    repeats = 1 if args.quick else args.repeats
    sizes = ex["sizes"]
    d, n = ex["dim"], ex["n"]
    X = jnp.asarray(np.array(ex["x"], dtype=np.float64).reshape(n, d))
    Y = jnp.asarray(np.array(ex["y"], dtype=np.int32))
    theta = jnp.asarray(np.array(ex["params"], dtype=np.float64))
    p = theta.shape[0]
    V10 = jnp.asarray(np.array(ex["eigenvectors"], dtype=np.float64))
    ours_values = np.array(ex["eigenvalues"])
    k = ex["k"]

    # The flat layout of src/model: per layer W [out][in] row-major, then b.
    layout = []
    off = 0
    for i, o in zip(sizes[:-1], sizes[1:]):
        layout.append((off, i, o))
        off += i * o + o
    assert off == p, (off, p)

    def logits(th, x):
        h = x
        for li, (o0, i, o) in enumerate(layout):
            W = lax.dynamic_slice(th, (o0,), (i * o,)).reshape(o, i)
            b = lax.dynamic_slice(th, (o0 + i * o,), (o,))
            h = h @ W.T + b
            if li + 1 < len(layout):
                h = jax.nn.relu(h)
        return h

    def loss(th, x, y):
        z = logits(th, x)
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(z), y[:, None], axis=1))

    grad_fn = jax.jit(jax.grad(loss))
    hvp_fn = jax.jit(lambda th, v: jax.jvp(lambda t: jax.grad(loss)(t, X, Y), (th,), (v,))[1])

    threads = 1 if args.threads == "1" else len(os.sched_getaffinity(0))
    out = {"workload": args.workload, "p": p, "n": n, "threads": threads}
    compile_s = {}

    def warm_and_time(name, f):
        t = time.perf_counter()
        f()
        compile_s[name] = time.perf_counter() - t
        return median_time(f, repeats)

    log(f"{args.workload}: forward, gradient and HVP (p = {p}, n = {n}, {threads} thread(s))")
    fwd_fn = jax.jit(logits)
    out["forward_s"] = warm_and_time("forward", lambda: fwd_fn(theta, X).block_until_ready())
    out["grad_s"] = warm_and_time("grad", lambda: grad_fn(theta, X, Y).block_until_ready())
    rng = np.random.default_rng(0)
    v = rng.standard_normal(p)
    v = jnp.asarray(v / np.linalg.norm(v))
    out["hvp_s"] = warm_and_time("hvp", lambda: hvp_fn(theta, v).block_until_ready())

    # One epoch of minibatch SGD from a PyTorch-default initialization (U(-1/sqrt(fan_in), +)).
    log(f"{args.workload}: epoch")
    init = []
    for (o0, i, o) in layout:
        bound = 1.0 / np.sqrt(i)
        init.append(rng.uniform(-bound, bound, i * o + o))
    th0 = jnp.asarray(np.concatenate(init))
    lr, momentum, batch = ex["lr"], ex["momentum"], min(ex["batch"], n)
    Xn, Yn = np.asarray(X), np.asarray(Y)

    @jax.jit
    def sgd_step(th, buf, xb, yb):
        g = jax.grad(loss)(th, xb, yb)
        buf = momentum * buf + g
        return th - lr * buf, buf

    state = {"th": th0, "buf": jnp.zeros_like(th0)}

    def epoch():
        order = rng.permutation(n)
        th, buf = state["th"], state["buf"]
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            th, buf = sgd_step(th, buf, Xn[idx], Yn[idx])
        th.block_until_ready()
        state["th"], state["buf"] = th, buf

    epoch()  # compiles the full-batch shape; the warm-up below compiles the last, smaller one if any
    out["epoch_s"] = warm_and_time("epoch", epoch)

    # Lanczos with full reorthogonalization for the number of steps ours needed, then k residual HVPs.
    m = ex["lanczos_steps"]
    log(f"{args.workload}: Lanczos {m} steps + {k} residual HVPs")
    v0 = jnp.asarray(rng.standard_normal(p))

    @jax.jit
    def lanczos(th, v0):
        hv = lambda u: jax.jvp(lambda t: jax.grad(loss)(t, X, Y), (th,), (u,))[1]
        Q = jnp.zeros((m + 1, p)).at[0].set(v0 / jnp.linalg.norm(v0))

        def body(j, st):
            Q, alpha, beta = st
            q = Q[j]
            w = hv(q)
            a = jnp.dot(w, q)
            w = w - a * q - jnp.where(j > 0, beta[jnp.maximum(j - 1, 0)], 0.0) * Q[jnp.maximum(j - 1, 0)]
            # Rows beyond j are still zero, so Q holds exactly the basis so far.
            w = w - Q.T @ (Q @ w)
            w = w - Q.T @ (Q @ w)
            b = jnp.linalg.norm(w)
            return Q.at[j + 1].set(w / b), alpha.at[j].set(a), beta.at[j].set(b)

        Q, alpha, beta = lax.fori_loop(0, m, body, (Q, jnp.zeros(m), jnp.zeros(m)))
        T = jnp.diag(alpha) + jnp.diag(beta[:-1], 1) + jnp.diag(beta[:-1], -1)
        evals, S = jnp.linalg.eigh(T)
        top = evals[::-1][:k]
        Yv = S[:, ::-1][:, :k].T @ Q[:m]
        res = lax.map(lambda yl: jnp.linalg.norm(hv(yl[0]) - yl[1] * yl[0]), (Yv, top))
        return top, res

    result = {}

    def run_lanczos():
        top, res = lanczos(theta, v0)
        result["top"], result["res"] = np.asarray(top), np.asarray(res)

    out["lanczos_top10_s"] = warm_and_time("lanczos", run_lanczos)
    out["lanczos_hvps"] = m + k
    out["lanczos_max_rel_diff_vs_ours"] = float(np.max(np.abs(result["top"] - ours_values) / np.abs(ours_values[0])))
    out["lanczos_max_residual_rel"] = float(np.max(result["res"]) / abs(result["top"][0]))

    # The alignment fields on the grid: vmap of per-sample gradients for the predicted label.
    g = ex["grid"]
    W_, H_ = g["width"], g["height"]
    frac = lambda i, N: i / (N - 1) if N > 1 else 0.5
    us = np.array([g["u_range"][0] + (g["u_range"][1] - g["u_range"][0]) * frac(c, W_) for c in range(W_)])
    ws = np.array([g["w_range"][1] - (g["w_range"][1] - g["w_range"][0]) * frac(r, H_) for r in range(H_)])
    origin, ax0, ax1 = (np.array(a) for a in (g["origin"], g["axes"][0], g["axes"][1]))
    uu, ww = np.meshgrid(us, ws)  # row-major: rows are w, columns u
    P = origin + uu.reshape(-1, 1) * ax0 + ww.reshape(-1, 1) * ax1
    pixels = P.shape[0]
    chunk = min(args.chunk, pixels)
    pad = (-pixels) % chunk
    Pj = jnp.asarray(np.concatenate([P, np.repeat(P[-1:], pad, axis=0)]).reshape(-1, chunk, d))
    log(f"{args.workload}: alignment fields {W_}x{H_} ({pixels} points, {chunk} per vmap chunk)")

    def sample_grad(th, x):
        yhat = jnp.argmax(lax.stop_gradient(logits(th, x[None])[0]))
        return jax.grad(lambda t: loss(t, x[None], yhat[None]))(th)

    @jax.jit
    def field(th, V):
        vn = jnp.linalg.norm(V, axis=1)

        def one(xc):
            G = jax.vmap(sample_grad, in_axes=(None, 0))(th, xc)  # chunk x p
            return (G @ V.T) / (jnp.linalg.norm(G, axis=1)[:, None] * vn[None, :])

        return lax.map(one, Pj).reshape(-1, V.shape[0])[:pixels]

    out["field_s"] = warm_and_time("field", lambda: field(theta, V10).block_until_ready())

    # The dense route: jax.hessian + numpy eigh (once: it is long).
    out["dense_s"] = None
    if args.quick:
        out["dense_note"] = "not measured in --quick"
    elif p > args.dense_max_p:
        out["dense_note"] = (f"p = {p} > --dense-max-p {args.dense_max_p}: H alone is {p * p * 8 / 1e9:.2f} GB "
                             f"and eigh is O(p^3) (~{(p / 10703) ** 3:.1f}x the gaussian setting's)")
    else:
        log(f"{args.workload}: dense route: jax.hessian ({p}x{p}) + numpy.linalg.eigh")
        # Compiled ahead of time, so the one timed call is not also a warm-up call of the same length.
        t = time.perf_counter()
        hess = jax.jit(jax.hessian(loss)).lower(theta, X, Y).compile()
        compile_s["hessian"] = time.perf_counter() - t
        t0 = time.perf_counter()
        Hm = np.asarray(hess(theta, X, Y).block_until_ready())
        t1 = time.perf_counter()
        evals = np.linalg.eigh(Hm)[0]
        t2 = time.perf_counter()
        out["dense_s"] = t2 - t0
        out["dense_build_s"] = t1 - t0
        out["dense_eigh_s"] = t2 - t1
        out["dense_max_rel_diff_vs_ours"] = float(np.max(np.abs(evals[::-1][:k] - ours_values)) / abs(ours_values[0]))
        del Hm
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    out["compile_s"] = compile_s
    out["repeats"] = repeats
    out["jax"] = jax.__version__
    out["numpy"] = np.__version__
    log(f"{args.workload}: done")
    return out


if __name__ == "__main__":
    main()
