"""Apache Libcloud as a peer in `pnpm bench`: the DigitalOcean driver against the same fake cloud.

Started once per bench run by benchmarks/src/workloads/libcloud.ts, it answers one JSON command per line on
stdin with one JSON line on stdout, so the bench can interleave its rounds with the Node modes':

  {"cmd": "sequential", "calls": K}              K list_nodes() calls one after another, one driver
  {"cmd": "pool", "ops": N, "threads": C}       N list_nodes() calls on a pool of C threads, one driver per
                                                thread (Libcloud's drivers are not thread-safe; its
                                                documentation advises a driver per thread)

Usage: python3 libcloud_peer.py '{"host": "127.0.0.1", "port": 1234, "token": "...", "deadline_s": 60}'
"""
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import libcloud
from libcloud.compute.providers import get_driver
from libcloud.compute.types import Provider

CONFIG = json.loads(sys.argv[1])
DEADLINE_S = float(CONFIG.get("deadline_s", 60))


def new_driver():
    cls = get_driver(Provider.DIGITAL_OCEAN)
    driver = cls(CONFIG["token"], api_version="v2")
    # DigitalOcean_v2_BaseDriver drops host/port/secure from its constructor's arguments: point its connection
    # at the fake cloud and reconnect (the constructor already connected to api.digitalocean.com:443).
    connection = driver.connection
    connection.host = CONFIG["host"]
    connection.port = int(CONFIG["port"])
    connection.secure = False
    connection.connect()
    return driver


def sequential(calls):
    driver = new_driver()
    driver.list_nodes()  # connect
    stop = time.perf_counter() + DEADLINE_S
    done = 0
    nodes = 0
    start = time.perf_counter()
    while done < calls and time.perf_counter() < stop:
        nodes = len(driver.list_nodes())
        done += 1
    elapsed = time.perf_counter() - start
    return {"completed": done, "usPerCall": elapsed * 1e6 / max(1, done), "nodes": nodes}


_local = threading.local()


def _list_nodes(_):
    driver = getattr(_local, "driver", None)
    if driver is None:
        driver = _local.driver = new_driver()
    return len(driver.list_nodes())


_pools = {}


def pool(ops, threads):
    # One executor per size, kept across rounds, so its threads (and their drivers' keep-alive connections)
    # are warm as in a long-running program.
    executor = _pools.get(threads)
    if executor is None:
        executor = _pools[threads] = ThreadPoolExecutor(max_workers=threads)
    stop = time.perf_counter() + DEADLINE_S
    start = time.perf_counter()
    futures = [executor.submit(_list_nodes, i) for i in range(ops)]
    done = 0
    for future in futures:
        remaining = stop - time.perf_counter()
        try:
            future.result(timeout=max(0.0, remaining))
            done += 1
        except Exception:
            for f in futures:
                f.cancel()
            break
    elapsed = time.perf_counter() - start
    return {"completed": done, "wallMs": elapsed * 1e3}


def main():
    print(json.dumps({"ready": True, "libcloud": libcloud.__version__, "python": sys.version.split()[0]}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        try:
            if command["cmd"] == "sequential":
                reply = sequential(int(command["calls"]))
            elif command["cmd"] == "pool":
                reply = pool(int(command["ops"]), int(command["threads"]))
            else:
                reply = {"error": "unknown command %r" % command["cmd"]}
        except Exception as error:  # report, never hang the bench
            reply = {"error": "%s: %s" % (type(error).__name__, error)}
        print(json.dumps(reply), flush=True)
    for executor in _pools.values():
        executor.shutdown(wait=False, cancel_futures=True)


if __name__ == "__main__":
    main()
