"""Asynchronous HTTP to the backend with QNetworkAccessManager, and starting a local backend.

Only PyQt5 and the standard library: usable in Krita, in kritarunner scripts (with a QEventLoop) and
in a plain PyQt5 test process. Callbacks get (status, body, error_kind, error_text): status is the
HTTP status or None when nothing answered; error_kind is None or one of api.NETWORK / TIMEOUT /
CANCELLED.
"""

import time

from PyQt5.QtCore import QByteArray, QObject, QProcess, QTimer, QUrl
from PyQt5.QtNetwork import QNetworkAccessManager, QNetworkProxy, QNetworkReply, QNetworkRequest

from .core import api
from .core import config as config_mod


class Pending(object):
    """One request in flight; `abort()` stops waiting for it (the callback then says CANCELLED)."""

    def __init__(self, reply, timer):
        self.reply = reply
        self.timer = timer
        self.cancelled = False
        self.timed_out = False
        self.done = False
        self.started = time.monotonic()

    def abort(self):
        if not self.done:
            self.cancelled = True
            self.reply.abort()


class HttpClient(QObject):
    def __init__(self, parent=None):
        QObject.__init__(self, parent)
        self._local = QNetworkAccessManager(self)
        # A loopback backend must not go through a system proxy (http_proxy is common on CI machines).
        self._local.setProxy(QNetworkProxy(QNetworkProxy.NoProxy))
        self._remote = QNetworkAccessManager(self)

    def request(self, method, url, body, timeout_s, callback):
        manager = self._local if api.is_local(url) else self._remote
        req = QNetworkRequest(QUrl(url))
        req.setHeader(QNetworkRequest.ContentTypeHeader, "application/json")
        req.setRawHeader(b"Accept", b"application/json")
        if method == "GET":
            reply = manager.get(req)
        else:
            reply = manager.post(req, QByteArray(body or b""))
        timer = QTimer(self)
        timer.setSingleShot(True)
        pending = Pending(reply, timer)

        def on_timeout():
            if not pending.done:
                pending.timed_out = True
                reply.abort()

        def on_finished():
            if pending.done:
                return
            pending.done = True
            timer.stop()
            aborted = pending.cancelled or pending.timed_out
            status = None if aborted else reply.attribute(QNetworkRequest.HttpStatusCodeAttribute)
            data = b"" if aborted else bytes(reply.readAll())
            error = reply.error()
            reply.deleteLater()
            timer.deleteLater()
            if pending.cancelled:
                callback(None, b"", api.CANCELLED, "")
            elif pending.timed_out:
                callback(None, b"", api.TIMEOUT, "")
            elif status is None:  # nothing answered: refused, unknown host, closed connection
                text = reply.errorString() if error != QNetworkReply.NoError else ""
                callback(None, b"", api.NETWORK, text)
            else:
                callback(int(status), data, None, "")

        timer.timeout.connect(on_timeout)
        reply.finished.connect(on_finished)
        timer.start(int(timeout_s * 1000))
        return pending

    def post(self, url, body, timeout_s, callback):
        return self.request("POST", url, body, timeout_s, callback)

    def get(self, url, timeout_s, callback):
        return self.request("GET", url, None, timeout_s, callback)


class BackendLauncher(QObject):
    """Starts `<python> -m backend serve` (from backend.json) and waits until /v1/health answers."""

    STARTUP_TIMEOUT_S = 180

    def __init__(self, client, package_dir, parent=None):
        QObject.__init__(self, parent)
        self.client = client
        self.package_dir = package_dir
        self.process = None
        self._output = b""
        self._timer = None
        self._waiters = []

    def running(self):
        return self.process is not None and self.process.state() != QProcess.NotRunning

    def output_tail(self, lines=6):
        text = self._output.decode("utf-8", "replace").strip().splitlines()
        return "\n".join(text[-lines:])

    def start(self, url, on_ready, on_failed):
        """on_ready() once healthy; on_failed(message) if it cannot be started or does not come up."""
        self._waiters.append((on_ready, on_failed))
        if self._timer is not None:
            return  # already starting: the new waiter is told with the others
        if not self.running():
            host, port = api.split_host_port(url)
            command = config_mod.server_command(config_mod.load(self.package_dir), host, port)
            if command is None:
                self._finish(False, "Cannot reach the backend at %s, and this plugin does not know where "
                                    "the backend is (run 'python install.py' from the project folder, or "
                                    "start it with '%s')." % (api.host_port(url), api.START_HINT))
                return
            program, arguments, workdir = command
            self._output = b""
            self.process = QProcess(self)
            self.process.setWorkingDirectory(workdir)
            self.process.setProcessChannelMode(QProcess.MergedChannels)
            self.process.readyReadStandardOutput.connect(self._read_output)
            self.process.start(program, arguments)
            if not self.process.waitForStarted(5000):
                self._finish(False, "Could not start the backend (%s %s): %s"
                             % (program, " ".join(arguments), self.process.errorString()))
                return
        deadline = time.monotonic() + self.STARTUP_TIMEOUT_S
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)

        def poll():
            if self.process is not None and not self.running():
                self._finish(False, "The backend stopped while starting (exit code %s): %s"
                             % (self.process.exitCode(), self.output_tail() or "no output"))
                return
            if time.monotonic() > deadline:
                self._finish(False, "The backend did not become ready within %d s: %s"
                             % (self.STARTUP_TIMEOUT_S, self.output_tail() or "no output"))
                return

            def answered(status, body, error_kind, error_text):
                if error_kind is None and api.parse_health(status, body):
                    self._finish(True, "")
                elif self._timer is not None:
                    self._timer.start(500)

            self.client.get(api.normalise_url(url) + "/v1/health", 5, answered)

        self._timer.timeout.connect(poll)
        self._timer.start(300)

    def _read_output(self):
        if self.process is not None:
            self._output = (self._output + bytes(self.process.readAllStandardOutput()))[-20000:]

    def _finish(self, ok, message):
        if self._timer is not None:
            self._timer.stop()
            self._timer.deleteLater()
            self._timer = None
        waiters, self._waiters = self._waiters, []
        for on_ready, on_failed in waiters:
            if ok:
                on_ready()
            else:
                on_failed(message)

    def stop(self):
        if self.running():
            self.process.terminate()
            if not self.process.waitForFinished(5000):
                self.process.kill()
                self.process.waitForFinished(2000)
