"""A real single-node Slurm cluster in a temporary folder, for the grader's Slurm test.

Starts Debian's ``munged``, ``slurmctld`` and ``slurmd`` (packages ``munge`` and
``slurm-wlm``; ``.ci/run`` installs them) with a configuration, key, state and logs of their
own under a temporary folder and ports chosen free, so that it touches nothing of the machine's
own Slurm or MUNGE. Needs root (``slurmd`` launches jobs as the submitting user) and no network
beyond loopback.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch", "sinfo")


def why_not() -> str:
    """Why a Slurm cluster cannot start here, or "" when it can."""
    missing = [name for name in DAEMONS if not _which(name)]
    if missing:
        return (
            f"{', '.join(missing)} not found: install Debian's slurm-wlm and munge "
            "(apt-get install -y slurm-wlm munge)"
        )
    if os.geteuid() != 0:
        return "slurmd must run as root to start jobs"
    return ""


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config(folder: Path, host: str) -> str:
    cpus = os.cpu_count() or 1
    return f"""\
ClusterName=cnncourse
SlurmctldHost={host}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={folder}/munge/munge.socket
SlurmUser=root
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={folder}/log/slurmctld.log
SlurmdLogFile={folder}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
NodeName={host} CPUs={cpus} State=UNKNOWN
PartitionName=grading Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""


def _logs(folder: Path) -> str:
    parts = []
    for path in sorted((folder / "log").glob("*.log")) + [folder / "munge" / "munged.log"]:
        if path.is_file():
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-2000:]}")
    return "\n".join(parts)


@contextlib.contextmanager
def cluster(folder: Path, timeout: float = 60) -> Iterator[dict[str, str]]:
    """Start a one-node cluster under ``folder``; yield the environment that reaches it
    (``SLURM_CONF`` set); stop every daemon on exit.

    Raises:
        RuntimeError: when a daemon does not start or the node does not become idle within
            ``timeout`` seconds (the message holds the daemons' logs).
    """
    folder = Path(folder).resolve()
    for sub in ("munge", "state", "spool", "log"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    key = folder / "munge" / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    (folder / "munge").chmod(0o700)
    host = socket.gethostname().split(".")[0]
    conf = folder / "slurm.conf"
    conf.write_text(_config(folder, host))
    env = dict(os.environ, SLURM_CONF=str(conf))
    for name in list(env):
        if name.startswith("SLURM_") and name != "SLURM_CONF":
            env.pop(name)  # running inside another Slurm job must not leak into this one
    pids = [folder / "munge" / "munged.pid", folder / "slurmctld.pid", folder / "slurmd.pid"]
    try:
        subprocess.run(
            [_which("munged"), "--force", f"--key-file={key}",
             f"--socket={folder}/munge/munge.socket", f"--pid-file={pids[0]}",
             f"--seed-file={folder}/munge/munged.seed",
             f"--log-file={folder}/munge/munged.log"],
            check=True, env=env, capture_output=True, timeout=30,
        )  # fmt: skip
        for daemon in ("slurmctld", "slurmd"):
            subprocess.run(
                [_which(daemon), "-f", str(conf)],
                check=True, env=env, capture_output=True, timeout=30,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            probe = subprocess.run(
                [_which("sinfo"), "--noheader", "--format=%t"],
                env=env, capture_output=True, text=True, timeout=30,
            )  # fmt: skip
            state = probe.stdout.strip()
            if probe.returncode == 0 and state in {"idle", "mix", "alloc"}:
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(
                f"the Slurm node did not become idle within {timeout:.0f} s (state "
                f"{state!r}):\n{_logs(folder)}"
            )
        yield env
    except subprocess.CalledProcessError as failure:
        raise RuntimeError(
            f"{Path(failure.cmd[0]).name} did not start: {failure.stderr}\n{_logs(folder)}"
        ) from failure
    finally:
        _stop(pids)


def _stop(pid_files: list[Path], grace: float = 15) -> None:
    """SIGTERM each daemon, wait up to ``grace`` seconds, then SIGKILL what is left."""
    running = []
    for pid_file in reversed(pid_files):
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, signal.SIGTERM)
            running.append(pid)
    deadline = time.monotonic() + grace
    while running and time.monotonic() < deadline:
        running = [pid for pid in running if _alive(pid)]
        time.sleep(0.2)
    for pid in running:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
