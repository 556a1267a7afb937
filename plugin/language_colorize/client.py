"""Asynchronous HTTP to the backend (QNetworkAccessManager) and starting a local backend (QProcess).

Nothing here blocks Krita: requests answer through a callback, the launcher polls /v2/health with a
timer. Every outcome reaches the callback as an Answer; `error` is None or a PluginError kind
(NETWORK, TIMEOUT, CANCELLED), so the controller has a single place that turns it into words.
"""

import time
from typing import Callable, Optional

from .core import api, errors
from .core import config as config_mod
from .qt import (
    CONTENT_TYPE_HEADER,
    HTTP_STATUS_ATTRIBUTE,
    NETWORK_NO_ERROR,
    NO_PROXY,
    PROCESS_MERGED_CHANNELS,
    PROCESS_NOT_RUNNING,
    QByteArray,
    QNetworkAccessManager,
    QNetworkProxy,
    QNetworkRequest,
    QObject,
    QProcess,
    QTimer,
    QUrl,
)


class Answer(object):
    """What came back: an HTTP status and body, or why nothing did."""

    __slots__ = ("status", "body", "error", "detail", "retry_after")

    def __init__(
        self,
        status: Optional[int] = None,
        body: bytes = b"",
        error: Optional[str] = None,
        detail: str = "",
        retry_after: Optional[str] = None,
    ) -> None:
        self.status = status
        self.body = body
        self.error = error
        self.detail = detail
        self.retry_after = retry_after


Callback = Callable[[Answer], None]


class Pending(object):
    """One request in flight; `abort()` stops waiting for it (the callback then says CANCELLED)."""

    def __init__(self, reply: object) -> None:
        self.reply = reply
        self.cancelled = False
        self.timed_out = False
        self.done = False
        self.started = time.monotonic()

    def abort(self) -> None:
        if not self.done:
            self.cancelled = True
            self.reply.abort()


class HttpClient(QObject):
    def __init__(self, parent: Optional[QObject] = None) -> None:
        QObject.__init__(self, parent)
        self._local = QNetworkAccessManager(self)
        # A loopback backend must not go through a system proxy (http_proxy is common on CI machines).
        self._local.setProxy(QNetworkProxy(NO_PROXY))
        self._remote = QNetworkAccessManager(self)

    def request(
        self,
        method: str,
        url: str,
        body: Optional[bytes],
        timeout_s: float,
        callback: Callback,
        token: str = "",
    ) -> Pending:
        manager = self._local if api.is_local(url) else self._remote
        req = QNetworkRequest(QUrl(url))
        req.setHeader(CONTENT_TYPE_HEADER, "application/json")
        req.setRawHeader(b"Accept", b"application/json")
        if token:
            req.setRawHeader(b"Authorization", b"Bearer " + token.encode("utf-8"))
        reply = manager.get(req) if method == "GET" else manager.post(req, QByteArray(body or b""))
        timer = QTimer(self)
        timer.setSingleShot(True)
        pending = Pending(reply)

        def on_timeout() -> None:
            if not pending.done:
                pending.timed_out = True
                reply.abort()

        def on_finished() -> None:
            if pending.done:
                return
            pending.done = True
            timer.stop()
            timer.deleteLater()
            reply.deleteLater()
            if pending.cancelled:
                callback(Answer(error=errors.CANCELLED))
                return
            if pending.timed_out:
                callback(Answer(error=errors.TIMEOUT))
                return
            status = reply.attribute(HTTP_STATUS_ATTRIBUTE)
            if status is None:  # nothing answered: refused, unknown host, closed connection
                text = reply.errorString() if reply.error() != NETWORK_NO_ERROR else ""
                callback(Answer(error=errors.NETWORK, detail=text))
                return
            retry = bytes(reply.rawHeader(b"Retry-After")).decode("latin-1") or None
            callback(Answer(int(status), bytes(reply.readAll()), retry_after=retry))

        timer.timeout.connect(on_timeout)
        reply.finished.connect(on_finished)
        timer.start(int(timeout_s * 1000))
        return pending

    def post(self, url: str, body: bytes, timeout_s: float, callback: Callback, token: str = "") -> Pending:
        return self.request("POST", url, body, timeout_s, callback, token)

    def get(self, url: str, timeout_s: float, callback: Callback) -> Pending:
        return self.request("GET", url, None, timeout_s, callback)


class BackendLauncher(QObject):
    """Starts `python -m backend serve` (the project's .venv, see core/config.py) and waits until
    /v2/health answers; every caller that asked meanwhile is told once it is up or has failed."""

    STARTUP_TIMEOUT_S = 180
    POLL_MS = 500

    def __init__(self, client: HttpClient, package_dir: str, parent: Optional[QObject] = None) -> None:
        QObject.__init__(self, parent)
        self.client = client
        self.package_dir = package_dir
        self.process = None  # type: Optional[QProcess]
        self._output = b""
        self._timer = None  # type: Optional[QTimer]
        self._deadline = 0.0
        self._url = ""
        self._waiters = []  # type: List[Tuple[Callable[[], None], Callable[[str], None]]]

    def running(self) -> bool:
        return self.process is not None and self.process.state() != PROCESS_NOT_RUNNING

    def pid(self) -> Optional[int]:
        return int(self.process.processId()) if self.running() else None

    def output_tail(self, lines: int = 6) -> str:
        text = self._output.decode("utf-8", "replace").strip().splitlines()
        return "\n".join(text[-lines:])

    def start(self, url: str, on_ready: Callable[[], None], on_failed: Callable[[str], None]) -> None:
        self._waiters.append((on_ready, on_failed))
        if self._timer is not None:
            return  # already starting: the new waiter is told with the others
        if not self.running():
            failure = self._spawn(url)
            if failure:
                self._finish(failure)
                return
        self._url = api.normalise_url(url)
        self._deadline = time.monotonic() + self.STARTUP_TIMEOUT_S
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._poll)
        self._timer.start(300)

    def _spawn(self, url: str) -> str:
        """Start the process; a sentence on failure, "" on success."""
        host, port = api.split_host_port(url)
        command = config_mod.server_command(config_mod.load(self.package_dir), host, port)
        if command is None:
            return (
                "Cannot reach the backend at %s, and this plugin does not know where the project is (run "
                "'python install.py' from the project folder, or start the backend with '%s')."
                % (api.host_port(url), api.START_HINT)
            )
        program, arguments, workdir = command
        self._output = b""
        self.process = QProcess(self)
        self.process.setWorkingDirectory(workdir)
        self.process.setProcessChannelMode(PROCESS_MERGED_CHANNELS)
        self.process.readyReadStandardOutput.connect(self._read_output)
        self.process.start(program, arguments)
        if not self.process.waitForStarted(5000):
            return "Could not start the backend (%s %s): %s" % (
                program,
                " ".join(arguments),
                self.process.errorString(),
            )
        return ""

    def _poll(self) -> None:
        if self.process is not None and not self.running():
            self._finish(
                "The backend stopped while starting (exit code %s): %s"
                % (self.process.exitCode(), self.output_tail() or "no output")
            )
            return
        if time.monotonic() > self._deadline:
            self._finish(
                "The backend did not become ready within %d s: %s"
                % (self.STARTUP_TIMEOUT_S, self.output_tail() or "no output")
            )
            return

        def answered(answer: Answer) -> None:
            if answer.error is None and api.parse_health(answer.status, answer.body):
                self._finish("")
            elif self._timer is not None:
                self._timer.start(self.POLL_MS)

        self.client.get(self._url + api.HEALTH, 5, answered)

    def _read_output(self) -> None:
        if self.process is not None:
            self._output = (self._output + bytes(self.process.readAllStandardOutput()))[-20000:]

    def _finish(self, failure: str) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer.deleteLater()
            self._timer = None
        waiters, self._waiters = self._waiters, []
        for on_ready, on_failed in waiters:
            if failure:
                on_failed(failure)
            else:
                on_ready()

    def stop(self) -> None:
        if self.running():
            assert self.process is not None
            self.process.terminate()
            if not self.process.waitForFinished(5000):
                self.process.kill()
                self.process.waitForFinished(2000)
