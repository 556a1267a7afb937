"""The docker's work, one job at a time: build the request -> POST -> (start the backend) -> apply.

No widgets here: the docker passes a `ui` with on_busy(text), on_idle(), on_message(text, level) and
on_history_changed(doc); tests pass their own. Every failure, whatever its source, is a PluginError
that reaches `_finish` and is shown once, so no path can leave the docker busy or silent.
"""

import traceback
from typing import Any, Callable, Optional

from . import apply as apply_mod
from . import request as request_mod
from . import undo as undo_mod
from . import watch
from .client import Answer, BackendLauncher, HttpClient
from .core import api, errors
from .core import settings as settings_mod
from .core.document import Document, Layer
from .core.errors import PluginError
from .qt import QObject

INFO, OK, ERROR = "info", "ok", "error"

_shared = {}  # type: Dict[str, Any]


def shared_services(package_dir: str):
    """One HTTP client and one backend launcher for all Krita windows."""
    if "client" not in _shared:
        client = HttpClient()
        _shared["client"] = client
        _shared["launcher"] = BackendLauncher(client, package_dir)
    return _shared["client"], _shared["launcher"]


def started_backend_pid() -> Optional[int]:
    launcher = _shared.get("launcher")
    return launcher.pid() if launcher is not None else None


def stop_started_backend() -> None:
    launcher = _shared.get("launcher")
    if launcher is not None:
        launcher.stop()


class Job(object):
    """One colorization in progress."""

    def __init__(self, doc: Document, request: request_mod.Request, settings: settings_mod.Settings) -> None:
        self.doc = doc
        self.request = request
        self.settings = settings
        self.autostarted = False
        self.cancelled = False
        self.pending = None  # type: Optional[Pending]


class Controller(QObject):
    def __init__(
        self,
        read_setting: Callable,
        write_setting: Callable,
        package_dir: str,
        ui: Any,
        parent: Optional[QObject] = None,
        client: Optional[HttpClient] = None,
        launcher: Optional[BackendLauncher] = None,
    ) -> None:
        QObject.__init__(self, parent)
        self._read = read_setting
        self._write = write_setting
        self.ui = ui
        if client is None or launcher is None:
            client, launcher = shared_services(package_dir)
        self.client = client
        self.launcher = launcher
        self._job = None  # type: Optional[Job]
        self.restorer = None  # type: Optional[watch.WaitUntil]

    # --- settings --------------------------------------------------------------------------------------
    @property
    def settings(self) -> settings_mod.Settings:
        return settings_mod.Settings.read(self._read)

    def save_settings(self, settings: settings_mod.Settings) -> None:
        settings.write(self._write)

    # --- state -----------------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._job is not None

    def _refuse_if_busy(self) -> bool:
        if self._job is not None:
            self.ui.on_message(
                "Still working on '%s' - wait or press Cancel." % self._job.request.instruction, INFO
            )
            return True
        return False

    def cancel(self) -> None:
        job = self._job
        if job is None:
            return
        job.cancelled = True
        if job.pending is not None:
            job.pending.abort()  # its callback finishes the job
        else:  # waiting for the backend to start
            self._finish(job, PluginError("Cancelled; nothing was changed.", errors.CANCELLED))

    def _finish(self, job: Optional[Job], outcome: Any, level: str = OK) -> None:
        """The one way out of every job: an error or a report, shown once."""
        if job is not None and self._job is job:
            self._job = None
            self.ui.on_idle()
        if isinstance(outcome, PluginError):
            level = INFO if outcome.kind == errors.CANCELLED else ERROR
            self.ui.on_message(outcome.message, level)
        else:
            self.ui.on_message(outcome, level)
        if job is not None:
            self.ui.on_history_changed(job.doc)

    # --- colorize --------------------------------------------------------------------------------------
    def colorize(self, doc: Optional[Document], instruction: str, layer: Optional[Layer] = None) -> bool:
        """Start one instruction; False (with a message shown) if it could not start."""
        if self._refuse_if_busy():
            return False
        settings = self.settings
        try:
            request = request_mod.build(doc, instruction, settings, layer)
        except Exception as exc:  # never let a surprise take Krita down
            self._finish(None, as_plugin_error(exc, "Could not read the layer"))
            return False
        assert doc is not None
        job = Job(doc, request, settings)
        self._job = job
        self._send(job)
        return True

    def _send(self, job: Job) -> None:
        self.ui.on_busy("Colouring: %s" % job.request.instruction)
        url = job.settings.backend_url + api.COLORIZE
        job.pending = self.client.post(
            url,
            job.request.body,
            job.settings.timeout,
            lambda answer: self._answered(job, answer),
            job.settings.token,
        )

    def _answered(self, job: Job, answer: Answer) -> None:
        job.pending = None
        settings = job.settings
        if answer.error == errors.CANCELLED or job.cancelled:
            self._finish(job, PluginError("Cancelled; nothing was changed.", errors.CANCELLED))
            return
        if (
            answer.error == errors.NETWORK
            and settings.autostart
            and api.is_local(settings.backend_url)
            and not job.autostarted
        ):
            job.autostarted = True
            self._start_backend(job)
            return
        try:
            if answer.error is not None:
                raise api.network_error(
                    answer.error, settings.backend_url, answer.detail, settings.timeout, settings.autostart
                )
            result = api.parse_colorize(answer.status, answer.body, answer.retry_after)
            keep = job.doc.active_layer if job.doc.is_open else None
            applied = apply_mod.apply(job.request, result, settings)
        except Exception as exc:
            self._finish(job, as_plugin_error(exc, "Something went wrong while adding the layers"))
            return
        self._keep_active(job.doc, keep, applied.last_inserted)
        report = applied.report
        self._finish(job, report.summary() or "Done.", OK if report.changed else INFO)

    def _keep_active(self, doc: Document, keep: Optional[Layer], newest: Optional[Layer]) -> None:
        """Adding layers must not change which layer the artist works on (see watch.py)."""
        if self.restorer is not None:
            self.restorer.stop()
        if keep is not None and doc.active_layer != keep and doc.find(keep.id) is not None:
            doc.set_active(keep)
        self.restorer = watch.restore_active_layer(doc, keep, newest, self)

    def _start_backend(self, job: Job) -> None:
        self.ui.on_busy("Starting the backend at %s..." % api.host_port(job.settings.backend_url))

        def ready() -> None:
            if self._job is job and not job.cancelled:
                self._send(job)

        def failed(message: str) -> None:
            if self._job is job and not job.cancelled:
                self._finish(job, PluginError(message, errors.NETWORK))

        self.launcher.start(job.settings.backend_url, ready, failed)

    # --- undo and repeat -------------------------------------------------------------------------------
    def undo_last(self, doc: Optional[Document]) -> bool:
        """Take back the document's last instruction (no backend needed)."""
        if self._refuse_if_busy():
            return False
        keep = doc.active_layer if doc is not None else None
        try:
            report = undo_mod.undo_last(doc)
        except Exception as exc:
            self._finish(None, as_plugin_error(exc, "Something went wrong while undoing"))
            return False
        assert doc is not None
        self._keep_active(doc, keep, doc.last_inserted)
        self._finish(None, report.summary(), OK)
        self.ui.on_history_changed(doc)
        return True

    def repeat_last(self, doc: Optional[Document], fallback_text: str = "") -> bool:
        """The document's last instruction again, on the active layer."""
        instruction = doc.load_record().last_instruction() if doc is not None and doc.is_open else None
        instruction = instruction or fallback_text
        if not instruction:
            self.ui.on_message("There is no instruction to repeat yet.", INFO)
            return False
        return self.colorize(doc, instruction)


def as_plugin_error(exc: Exception, context: str) -> PluginError:
    """PluginErrors pass through; anything else is a bug, logged, and shown in words."""
    if isinstance(exc, PluginError):
        return exc
    traceback.print_exc()
    return PluginError("%s: %s" % (context, exc), errors.SERVER)
