"""The docker's request flow: prepare -> POST -> (start the backend if needed) -> apply, one at a time.

No widgets here: the docker passes a `ui` with on_busy(text), on_idle(), on_message(text, level) and
on_history_changed(doc); tests pass their own. Only PyQt5 + the core modules are imported, so this
runs in Krita, in kritarunner (with a QEventLoop) and in a plain PyQt5 process.
"""

import sys
import traceback

from PyQt5.QtCore import QObject, QTimer

from .client import BackendLauncher, HttpClient
from .core import api, document
from .core import settings as settings_mod
from .core import state as state_mod
from .core.codec import PureCodec
from .core.state import uid_of

INFO, OK, ERROR = "info", "ok", "error"


def make_codec():
    if sys.byteorder != "little":
        return PureCodec()
    try:
        from .qt_codec import QtCodec
        return QtCodec()
    except ImportError:
        return PureCodec()


def forget_session(doc, line_uid):
    """After a cancelled/timed-out request the backend may have applied a step we never saw: start a new
    backend session for this line art so its undo history cannot drift from the document's."""
    if not document.is_open(doc):
        return
    state = state_mod.load(doc)
    target = state.targets.get(line_uid)
    if target is not None and target.session_id:
        target.session_id = None
        state_mod.save(doc, state)


_shared = {}


def shared_services(package_dir):
    """One HTTP client and one backend launcher for all Krita windows."""
    if "client" not in _shared:
        client = HttpClient()
        _shared["client"] = client
        _shared["launcher"] = BackendLauncher(client, package_dir)
    return _shared["client"], _shared["launcher"]


def started_backend_pid():
    """Process id of the backend this Krita started, or None."""
    launcher = _shared.get("launcher")
    return launcher.process.processId() if launcher is not None and launcher.running() else None


def stop_started_backend():
    launcher = _shared.get("launcher")
    if launcher is not None:
        launcher.stop()


class Controller(QObject):
    def __init__(self, read_setting, write_setting, package_dir, ui, parent=None, client=None, launcher=None):
        QObject.__init__(self, parent)
        self._read = read_setting
        self._write = write_setting
        self.ui = ui
        if client is None or launcher is None:
            client, launcher = shared_services(package_dir)
        self.client = client
        self.launcher = launcher
        self.codec = make_codec()
        self._pending = None     # the HTTP request in flight
        self._job = None         # what the current work is about (dict)

    # --- settings --------------------------------------------------------------------------------
    @property
    def settings(self):
        return settings_mod.Settings.read(self._read)

    def save_settings(self, settings):
        settings.write(self._write)

    # --- state -----------------------------------------------------------------------------------
    @property
    def busy(self):
        return self._job is not None

    def cancel(self):
        job = self._job
        if job is None:
            return
        job["cancelled"] = True
        if self._pending is not None:
            self._pending.abort()  # the callback reports it
        else:  # waiting for the backend to start
            self._end(job, "Cancelled; nothing was changed.", INFO)

    def _end(self, job, message, level):
        if self._job is job:
            self._job = None
            self._pending = None
        self.ui.on_idle()
        if message:
            self.ui.on_message(message, level)
        if job.get("doc") is not None:
            self.ui.on_history_changed(job["doc"])

    # --- colorize --------------------------------------------------------------------------------
    def colorize(self, doc, instruction, node=None):
        """Start one instruction; returns False (with a message shown) if it could not start."""
        if self.busy:
            self.ui.on_message("Still working on '%s' - wait or press Cancel." % self._job["label"], INFO)
            return False
        settings = self.settings
        try:
            prepared = document.prepare(doc, instruction, settings, self.codec, node)
        except document.UserError as exc:
            self.ui.on_message(exc.message, ERROR)
            return False
        except Exception as exc:  # never let a surprise take Krita down
            traceback.print_exc()
            self.ui.on_message("Could not read the layer: %s" % exc, ERROR)
            return False
        job = {"kind": "colorize", "doc": doc, "prepared": prepared, "label": prepared.instruction,
               "settings": settings, "autostarted": False, "cancelled": False}
        self._job = job
        self._send_colorize(job)
        return True

    def _send_colorize(self, job):
        settings = job["settings"]
        prepared = job["prepared"]
        self.ui.on_busy("Colouring: %s" % prepared.instruction)
        url = settings.backend_url + "/v1/colorize"
        self._pending = self.client.post(url, prepared.body, settings.timeout,
                                         lambda *answer: self._colorize_answer(job, *answer))

    def _colorize_answer(self, job, status, body, error_kind, error_text):
        self._pending = None
        settings = job["settings"]
        prepared = job["prepared"]
        if error_kind is not None:
            if error_kind in (api.CANCELLED, api.TIMEOUT):
                forget_session(job["doc"], prepared.line_uid)
            if error_kind == api.CANCELLED or job["cancelled"]:
                self._end(job, "Cancelled; nothing was changed.", INFO)
                return
            if error_kind == api.NETWORK and settings.autostart and api.is_local(settings.backend_url) \
                    and not job["autostarted"]:
                job["autostarted"] = True
                self._start_backend(job, lambda: self._send_colorize(job))
                return
            err = api.network_error(error_kind, settings.backend_url, error_text, settings.timeout,
                                    settings.autostart)
            self._end(job, err.message, ERROR)
            return
        try:
            result = api.parse_colorize(status, body)
            active = job["doc"].activeNode() if document.is_open(job["doc"]) else None
            active_uid = uid_of(active) if active is not None else None
            report = document.apply_result(job["doc"], prepared, result, settings, self.codec)
        except (api.BackendError, document.UserError) as exc:
            self._end(job, exc.message, ERROR)
            return
        except Exception as exc:
            traceback.print_exc()
            self._end(job, "Something went wrong while adding the layers: %s" % exc, ERROR)
            return
        created = [c.get("uid") for c in report.created]
        self._restore_active_later(job["doc"], active_uid, created)
        level = OK if report.created or report.removed else INFO
        self._end(job, report.summary() or "Done.", level)

    def _restore_active_later(self, doc, uid, created=()):
        """Krita may move the active layer to a new layer some time after it is inserted (later
        on a busy machine); put it back then, but never undo a choice the artist made meanwhile."""
        if not uid:
            return

        def restore():
            if not document.is_open(doc):
                return
            active = doc.activeNode()
            if active is None or uid_of(active) in created:
                document.select_layer(doc, uid)

        for delay in (50, 400, 1000, 2000, 4000):
            QTimer.singleShot(delay, restore)

    def _start_backend(self, job, then):
        settings = job["settings"]
        self.ui.on_busy("Starting the backend at %s..." % api.host_port(settings.backend_url))

        def ready():
            if self._job is job and not job["cancelled"]:
                then()

        def failed(message):
            if self._job is job and not job["cancelled"]:
                self._end(job, message, ERROR)

        self.launcher.start(settings.backend_url, ready, failed)

    # --- undo ------------------------------------------------------------------------------------
    def undo_last(self, doc):
        if self.busy:
            self.ui.on_message("Still working on '%s' - wait or press Cancel." % self._job["label"], INFO)
            return False
        try:
            entry, session_id = document.last_undo_request(doc)
        except document.UserError as exc:
            self.ui.on_message(exc.message, ERROR)
            return False
        settings = self.settings
        job = {"kind": "undo", "doc": doc, "entry": entry, "label": "undo", "settings": settings,
               "autostarted": True, "cancelled": False}
        self._job = job
        if not session_id:
            self._local_undo(job, "no backend session")
            return True
        self.ui.on_busy("Undoing: %s" % entry["instruction"])
        self._pending = self.client.post(settings.backend_url + "/v1/undo", api.undo_body(session_id),
                                         settings.timeout, lambda *answer: self._undo_answer(job, *answer))
        return True

    def _local_undo(self, job, reason):
        try:
            report = document.local_undo(job["doc"], job["entry"], reason)
        except document.UserError as exc:
            self._end(job, exc.message, ERROR)
            return
        self._end(job, report.summary(), OK)

    def _undo_answer(self, job, status, body, error_kind, error_text):
        self._pending = None
        if error_kind == api.CANCELLED or job["cancelled"]:
            self._end(job, "Cancelled; nothing was undone.", INFO)
            return
        if error_kind is not None:
            self._local_undo(job, "the backend could not be reached")
            return
        try:
            undo = api.parse_undo(status, body)
        except api.BackendError as exc:
            self._local_undo(job, exc.message.rstrip("."))
            return
        try:
            report = document.apply_undo(job["doc"], job["entry"], undo, job["settings"], self.codec)
        except (api.BackendError, document.UserError) as exc:
            self._end(job, exc.message, ERROR)
            return
        except Exception as exc:
            traceback.print_exc()
            self._end(job, "Something went wrong while undoing: %s" % exc, ERROR)
            return
        self._end(job, report.summary(), OK)

    # --- repeat ----------------------------------------------------------------------------------
    def repeat_last(self, doc, fallback_text=""):
        """The document's last instruction again, on the active layer."""
        instruction = None
        if document.is_open(doc):
            instruction = state_mod.load(doc).last_instruction()
        instruction = instruction or fallback_text
        if not instruction:
            self.ui.on_message("There is no instruction to repeat yet.", INFO)
            return False
        return self.colorize(doc, instruction)
