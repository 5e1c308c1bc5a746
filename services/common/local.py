"""Local process helpers shared by the launcher, the benchmarks and the tests: free ports, a private Redis, health waits."""

from __future__ import annotations

import asyncio
import getpass
import shutil
import socket
import subprocess
import time
from pathlib import Path

import grpc
import redis
from grpc_health.v1 import health_pb2, health_pb2_grpc


def free_port() -> int:
    """Ask the kernel for a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_reachable(url: str) -> bool:
    """Tell whether a Redis server answers at the URL."""
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def start_private_redis(folder: Path, *, wait_s: float = 10.0) -> tuple[subprocess.Popen[bytes], str]:
    """Start redis-server on a free loopback port with its files in `folder`; wait until it answers."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server is not installed (Debian: apt-get install redis-server)")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + wait_s
    while not redis_reachable(url):
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            process.wait()
            raise RuntimeError("the private redis-server did not start")
        time.sleep(0.05)
    return process, url


async def wait_serving(address: str, service: str, timeout_s: float) -> bool:
    """Poll a server's health service until `service` is SERVING; False if the time runs out."""
    deadline = time.monotonic() + timeout_s
    async with grpc.aio.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return True
            except grpc.aio.AioRpcError:
                pass
            await asyncio.sleep(0.2)
    return False


def mqtt_reachable(host: str, port: int, timeout_s: float = 1.0) -> bool:
    """Tell whether something accepts TCP connections where an MQTT broker should be."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def start_mosquitto(config_file: Path, port: int, *, wait_s: float = 10.0) -> subprocess.Popen[bytes]:
    """Start mosquitto with a configuration file that listens on `port`; wait until it accepts connections."""
    binary = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)
    if binary is None:
        raise FileNotFoundError("mosquitto is not installed (Debian: apt-get install mosquitto)")
    log_file = (config_file.parent / "mosquitto.log").open("ab")
    process = subprocess.Popen([binary, "-c", str(config_file)], stdout=log_file, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + wait_s
    while not mqtt_reachable("127.0.0.1", port, 0.2):
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            process.wait()
            raise RuntimeError(f"mosquitto did not start; see {config_file.parent / 'mosquitto.log'}")
        time.sleep(0.05)
    return process


def start_private_mosquitto(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start an anonymous loopback-only mosquitto on a free port with its files in `folder` (the embedded run)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = folder / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nuser {getpass.getuser()}\nallow_anonymous true\npersistence true\npersistence_location {folder}/\n"
        "max_queued_messages 100000\nmax_inflight_messages 1000\n"
    )
    return start_mosquitto(config, port), f"mqtt://127.0.0.1:{port}"
