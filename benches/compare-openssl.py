#!/usr/bin/env python3
"""RSA key generation: this crate's criterion medians next to OpenSSL, Python `cryptography` and
`ssh-keygen`, timed in the same sitting on the same machine.

    python3 benches/compare-openssl.py              # runs `cargo bench --bench generate` first
    python3 benches/compare-openssl.py --no-cargo   # reuses the last criterion results
    python3 benches/compare-openssl.py --bits 2048 --runs 31
    python3 benches/compare-openssl.py --interleave  # key by key against OpenSSL 4.0, 1 and 2 threads

Measured here, per size, as medians over --runs keys:
  openssl      `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:N` (one process per key,
               minus the median start-up time of `openssl version`, measured alongside)
  cryptography `rsa.generate_private_key(65537, N)` in this Python process
  ssh-keygen   `ssh-keygen -q -t rsa -b N -N '' -f TMP` (one process per key, writes two files)
All three use one core. The crate's medians (single-thread `generate_rsa`, all-core
`generate_rsa_parallel`, and the `rsa` crate alone at 0.10 and 0.9) come from criterion's estimates.json of `cargo bench --bench generate`; each row prints
keypairs' median as a ratio to each of the others (< 1: keypairs is faster).
Needs: openssl, ssh-keygen, python3 with `cryptography` (a missing tool is reported and skipped).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATE_IMPLS = ["keypairs", "keypairs-parallel", "rsa-0.10", "rsa-0.9"]


def target_dir():
    if os.environ.get("CARGO_TARGET_DIR"):
        return os.environ["CARGO_TARGET_DIR"]
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return json.loads(out)["target_directory"]


def criterion_median(impl, bits):
    """Median in seconds of generate/<impl>/<bits>, or None."""
    home = os.environ.get("CRITERION_HOME") or os.path.join(target_dir(), "criterion")
    path = os.path.join(home, "generate", impl, str(bits), "new", "estimates.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)["median"]["point_estimate"] / 1e9
    except (OSError, KeyError, ValueError):
        return None


def timed_runs(fn, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run_quiet(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def time_openssl(bits, runs):
    if not shutil.which("openssl"):
        return None, "openssl not found"
    startup = timed_runs(lambda: run_quiet(["openssl", "version"]), runs)
    gen = timed_runs(
        lambda: run_quiet(
            ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}", "-out", os.devnull]
        ),
        runs,
    )
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    return max(gen - startup, 0.0), f"{version}; process start-up {startup * 1e3:.1f} ms subtracted"


def time_cryptography(bits, runs):
    try:
        import cryptography
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.hazmat.backends.openssl.backend import backend
    except ImportError:
        return None, "python cryptography not installed"
    return (
        timed_runs(lambda: rsa.generate_private_key(public_exponent=65537, key_size=bits), runs),
        f"cryptography {cryptography.__version__} ({backend.openssl_version_text()})",
    )


def time_ssh_keygen(bits, runs):
    if not shutil.which("ssh-keygen"):
        return None, "ssh-keygen not found"
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "k")

        def one():
            for p in (path, path + ".pub"):
                if os.path.exists(p):
                    os.remove(p)
            run_quiet(["ssh-keygen", "-q", "-t", "rsa", "-b", str(bits), "-N", "", "-f", path])

        return timed_runs(one, runs), "ssh-keygen (process start-up and file writes included)"


def interleaved(sizes, runs_arg):
    """Key by key, in one run: OpenSSL 4.0 (Python `cryptography`, this process) and this crate on
    one and on two threads (`cargo bench --bench generate -- --serve`, which times each key
    itself), rotating the order every round so that all three see the same load. Returns
    {bits: (runs, {name: median seconds})}."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    proc = subprocess.Popen(
        ["cargo", "bench", "--locked", "--bench", "generate", "--", "--serve"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def ours(bits, threads, seed):
        proc.stdin.write(f"{bits} {threads} {seed}\n")
        proc.stdin.flush()
        wall, cpu = proc.stdout.readline().split()
        return int(wall) / 1e9, int(cpu) / 1e9

    def openssl(bits, _seed):
        t, c = time.perf_counter(), time.thread_time()
        rsa.generate_private_key(public_exponent=65537, key_size=bits)
        return time.perf_counter() - t, time.thread_time() - c

    impls = {
        "openssl": openssl,
        "keypairs": lambda bits, seed: ours(bits, 1, seed),
        "keypairs-2": lambda bits, seed: ours(bits, 2, seed),
    }
    out = {}
    try:
        for bits in sizes:
            runs = runs_arg or {2048: 101, 3072: 41}.get(bits, 21)
            print(f"interleaving {bits}-bit keys, {runs} rounds ...", file=sys.stderr)
            for name, fn in impls.items():  # warm-up
                fn(bits, 1)
            times = {name: [] for name in impls}
            cpu = {name: [] for name in impls}
            names = list(impls)
            for i in range(runs):
                for name in names[i % 3 :] + names[: i % 3]:
                    # Same seed for one and two threads: the same key, so their ratio is speed-up.
                    wall, c = impls[name](bits, 1000 + i)
                    times[name].append(wall)
                    cpu[name].append(c)
            medians = {name: statistics.median(v) for name, v in times.items()}
            medians["openssl-cpu"] = statistics.median(cpu["openssl"])
            medians["keypairs-cpu"] = statistics.median(cpu["keypairs"])
            out[bits] = (runs, medians)
    finally:
        proc.stdin.close()
        proc.wait()
    return out


def print_interleaved(results):
    print()
    print("### RSA key generation, interleaved with OpenSSL 4.0 in one run (medians; ratio = keypairs / OpenSSL)")
    print()
    print("| bits | rounds | OpenSSL 4.0 (cryptography) | keypairs, 1 thread | ratio | keypairs, 2 threads | ratio | CPU time: OpenSSL / keypairs 1 thread | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for bits, (runs, m) in results.items():
        o, k1, k2 = m["openssl"], m["keypairs"], m["keypairs-2"]
        oc, kc = m["openssl-cpu"], m["keypairs-cpu"]
        cpu = f"{fmt(oc)} / {fmt(kc)} | {kc / oc:.2f}x" if oc and kc else "- | -"
        print(f"| {bits} | {runs} | {fmt(o)} | {fmt(k1)} | {k1 / o:.2f}x | {fmt(k2)} | {k2 / o:.2f}x | {cpu} |")
    print()
    print("- wall-clock medians; CPU time = the generating thread's own CPU time (robust to load from other processes)")
    try:
        import cryptography
        from cryptography.hazmat.backends.openssl.backend import backend

        print(f"- cryptography {cryptography.__version__} ({backend.openssl_version_text()})")
    except ImportError:
        pass
    print(f"- load average at the end (1/5/15 min): {' / '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    if 2048 in results:
        m = results[2048][1]
        print(f"- targets at 2048 bits: 1 thread <= 0.8x: {m['keypairs'] / m['openssl']:.2f}x; 2 threads <= 0.5x: {m['keypairs-2'] / m['openssl']:.2f}x")
    for bits in (3072, 4096):
        if bits in results:
            m = results[bits][1]
            print(f"- target at {bits} bits: 1 thread <= 0.8x: {m['keypairs'] / m['openssl']:.2f}x")


def fmt(s):
    if s is None:
        return "-"
    return f"{s * 1e3:.0f} ms" if s < 10 else f"{s:.1f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bits", default="2048,3072,4096", help="comma-separated sizes")
    ap.add_argument("--runs", type=int, default=0, help="keys per tool and size (default 21/11/7)")
    ap.add_argument("--no-cargo", action="store_true", help="do not run cargo bench first")
    ap.add_argument(
        "--interleave",
        action="store_true",
        help="only the key-by-key interleaved run against OpenSSL 4.0 (Python cryptography)",
    )
    args = ap.parse_args()
    sizes = [int(b) for b in args.bits.split(",")]

    if args.interleave:
        print_interleaved(interleaved(sizes, args.runs))
        return

    if not args.no_cargo:
        subprocess.run(["cargo", "bench", "--bench", "generate"], cwd=ROOT, check=True)

    notes = {}
    rows = []
    for bits in sizes:
        runs = args.runs or {2048: 21, 3072: 11}.get(bits, 7)
        print(f"timing {bits}-bit keys, {runs} per tool ...", file=sys.stderr)
        peers = {}
        for name, fn in [
            ("openssl", time_openssl),
            ("cryptography", time_cryptography),
            ("ssh-keygen", time_ssh_keygen),
        ]:
            value, note = fn(bits, runs)
            peers[name] = value
            notes[name] = note
        crate = {impl: criterion_median(impl, bits) for impl in CRATE_IMPLS}
        rows.append((bits, runs, crate, peers))

    print()
    print("### RSA key generation, medians (in brackets: keypairs' median / this median; < 1 = keypairs faster)")
    print()
    cols = CRATE_IMPLS + ["openssl", "cryptography", "ssh-keygen"]
    print("| bits | " + " | ".join(cols) + " |")
    print("|---:|" + "---:|" * len(cols))
    for bits, runs, crate, peers in rows:
        ours = crate["keypairs"]
        cells = []
        for c in cols:
            v = crate.get(c, peers.get(c))
            if c == "keypairs" or v is None or ours is None or v == 0:
                cells.append(fmt(v))
            else:
                cells.append(f"{fmt(v)} ({ours / v:.2f}x)")
        print(f"| {bits} | " + " | ".join(cells) + " |")
    print()
    for name, note in notes.items():
        print(f"- {name}: {note}")
    print(f"- load average at the end (1/5/15 min): {' / '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"- keypairs, keypairs-parallel, rsa-0.10, rsa-0.9: criterion medians from {os.path.join(target_dir(), 'criterion', 'generate')}")
    ours, ossl = rows[0][2]["keypairs"], rows[0][3]["openssl"]
    if rows[0][0] == 2048 and ours and ossl:
        verdict = "meets" if ours <= 1.5 * ossl else "misses"
        print(f"- target (2048-bit median <= 1.5x OpenSSL on one core): {ours / ossl:.2f}x, {verdict} it")
        par = rows[0][2]["keypairs-parallel"]
        if par:
            verdict = "meets" if par <= ossl else "misses"
            print(f"- target (2048-bit, all cores, <= OpenSSL): {par / ossl:.2f}x, {verdict} it")


if __name__ == "__main__":
    main()
