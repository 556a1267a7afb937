"""The docker's work, one job at a time: build the request -> POST -> (start the backend) -> apply.

No widgets here: the docker passes a `ui` with on_busy(text), on_idle(), on_message(text, level) and
on_history_changed(doc); tests pass their own. Every failure, whatever its source, is a PluginError
that reaches `_finish` and is shown once, so no path can leave the docker busy or silent.
"""

import traceback
from typing import Any, Callable, List, Optional, Tuple

from . import apply as apply_mod
from . import request as request_mod
from . import seen, watch
from . import undo as undo_mod
from .client import Answer, BackendLauncher, HttpClient
from .core import api, errors
from .core import settings as settings_mod
from .core import theme as theme_mod
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
    """One request in progress: a colorization, or a look at what the backend sees. `handle` turns
    the answer into (message, level) or raises PluginError; `batch` is the theme run it belongs to."""

    def __init__(
        self,
        request: Any,
        settings: settings_mod.Settings,
        handle: Callable[["Job", Answer], Tuple[str, str]],
        batch: Optional[theme_mod.Progress] = None,
        before: Optional[Tuple[str, str]] = None,
    ) -> None:
        self.request = request
        self.doc = request.doc
        self.settings = settings
        self.handle = handle
        self.batch = batch
        self.before = before  # the message of the job this one follows up (a refreshed overlay)
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
        # what runs after the current job: (kept when Cancel drops the rest, the function that starts it)
        self._queue = []  # type: List[Tuple[bool, Callable[[], bool]]]
        self.restorer = None  # type: Optional[watch.WaitUntil]
        self.show_seen = False  # "Show what I see" is on: the overlay follows every instruction

    # --- settings --------------------------------------------------------------------------------------
    @property
    def settings(self) -> settings_mod.Settings:
        return settings_mod.Settings.read(self._read)

    def save_settings(self, settings: settings_mod.Settings) -> None:
        settings.write(self._write)

    # --- state -----------------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._job is not None or bool(self._queue)

    def _refuse_if_busy(self) -> bool:
        if self._job is not None:
            self.ui.on_message(
                "Still working on it ('%s') - wait or press Cancel." % self._job.request.label, INFO
            )
            return True
        return False

    def cancel(self) -> None:
        job = self._job
        self._queue = [item for item in self._queue if item[0]]  # keep the theme's merges and summary
        if job is None:
            return
        job.cancelled = True
        if job.batch is not None:
            job.batch.cancelled = True
        if job.pending is not None:
            job.pending.abort()  # its callback finishes the job
        else:  # waiting for the backend to start
            self._finish(job, PluginError("Cancelled; nothing was changed.", errors.CANCELLED))

    def _finish(self, job: Optional[Job], outcome: Any, level: str = OK) -> None:
        """The one way out of every job: an error or a report, shown once; then the next queued job."""
        if job is not None and self._job is job:
            self._job = None
            self.ui.on_idle()
        if isinstance(outcome, PluginError):
            level = INFO if outcome.kind == errors.CANCELLED else ERROR
            outcome = outcome.message
            if job is not None and job.before is not None:  # the overlay after an instruction failed
                outcome, level = job.before[0] + " (What I see: " + outcome.rstrip(".") + ".)", job.before[1]
            elif job is not None and job.batch is not None and level == ERROR:
                job.batch.problems.append("%s: %s" % (job.doc.title, outcome))
        elif job is not None and job.batch is not None and level == OK:
            job.batch.coloured += 1
        self.ui.on_message(outcome, level)
        if job is not None:
            self.ui.on_history_changed(job.doc)
        self._continue()

    def _continue(self) -> None:
        while self._job is None and self._queue:
            _always, start = self._queue.pop(0)
            start()

    # --- requests --------------------------------------------------------------------------------------
    def _start(self, job: Job) -> None:
        self._job = job
        self._send(job)

    def _send(self, job: Job) -> None:
        self.ui.on_busy(job.request.label)
        url = job.settings.backend_url + job.request.route
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
            message, level = job.handle(job, answer)
        except Exception as exc:
            self._finish(job, as_plugin_error(exc, "Something went wrong while adding the layers"))
            return
        self._finish(job, message, level)

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

    # --- colorize --------------------------------------------------------------------------------------
    def colorize(
        self,
        doc: Optional[Document],
        instruction: str,
        layer: Optional[Layer] = None,
        parse: Any = None,
        batch: Optional[theme_mod.Progress] = None,
    ) -> bool:
        """Start one instruction; False (with a message shown) if it could not start."""
        if self._refuse_if_busy():
            return False
        settings = self.settings
        try:
            request = request_mod.build(doc, instruction, settings, layer, parse)
        except Exception as exc:  # never let a surprise take Krita down
            error = as_plugin_error(exc, "Could not read the layer")
            if batch is not None and doc is not None:
                batch.problems.append("%s: %s" % (doc.title, error.message))
            self._finish(None, error)
            return False
        self._start(Job(request, settings, self._applied, batch))
        return True

    def _applied(self, job: Job, answer: Answer) -> Tuple[str, str]:
        result = api.parse_colorize(answer.status, answer.body, answer.retry_after)
        doc = job.doc
        keep = doc.active_layer if doc.is_open else None
        applied = apply_mod.apply(job.request, result, job.settings)
        self._keep_active(doc, keep, applied.last_inserted)
        report = applied.report
        outcome = (report.summary() or "Done.", OK if report.changed else INFO)
        if self.show_seen and job.batch is None:
            self._queue.insert(0, (False, lambda: self._look(doc, job.request.line, outcome)))
        return outcome

    # --- what the backend sees -------------------------------------------------------------------------
    def show_objects(self, doc: Optional[Document]) -> bool:
        """Ask the backend what it sees in the active line art and show it on the overlay."""
        if self._refuse_if_busy():
            return False
        return self._look(doc, None, None)

    def _look(
        self, doc: Optional[Document], layer: Optional[Layer], before: Optional[Tuple[str, str]]
    ) -> bool:
        try:
            request = request_mod.build_objects(doc, layer)
        except Exception as exc:
            error = as_plugin_error(exc, "Could not read the layer")
            if before is not None:
                self._finish(None, before[0] + " (What I see: " + error.message.rstrip(".") + ".)", before[1])
            else:
                self._finish(None, error)
            return False
        self._start(Job(request, self.settings, self._seen, before=before))
        return True

    def _seen(self, job: Job, answer: Answer) -> Tuple[str, str]:
        result = api.parse_objects(answer.status, answer.body, answer.retry_after)
        doc = job.doc
        keep = doc.active_layer if doc.is_open else None
        layer = seen.show(job.request, result)
        self._keep_active(doc, keep, layer)
        if job.before is not None:
            return job.before
        return "I see: %s." % (result.inventory or "nothing I can name"), INFO

    def hide_objects(self, docs: List[Document]) -> None:
        """Remove the overlay from these documents (no backend needed)."""
        for doc in docs:
            try:
                seen.hide(doc)
            except Exception as exc:
                self._finish(None, as_plugin_error(exc, "Could not remove the overlay"))

    # --- themes ----------------------------------------------------------------------------------------
    def apply_theme(
        self,
        docs: List[Document],
        name: str,
        instructions: List[Tuple[str, Any]],
        layers: Optional[List[Optional[Layer]]] = None,
    ) -> bool:
        """Each instruction, in order, on each document's line art (`layers`, or its active layer
        now); each document's steps then become one, so one "Undo last" takes the theme back."""
        if self._refuse_if_busy():
            return False
        targets = [
            (doc, layers[i] if layers is not None else None)
            for i, doc in enumerate(docs)
            if doc is not None and doc.is_open
        ]
        if not targets:
            self.ui.on_message("Open a document with line art first.", ERROR)
            return False
        run = theme_mod.Progress(name, len(targets), len(instructions))
        for doc, layer in targets:
            try:
                line = request_mod.choose_line_art(doc, doc.load_record(), layer)
            except PluginError as exc:
                run.problems.append("%s: %s" % (doc.title, exc.message))
                continue
            last = doc.load_record().last_step()
            after = last.step_id if last is not None else 0
            for text, parse in instructions:
                self._queue.append((False, self._theme_step(doc, text, line, parse, run)))
            self._queue.append((True, self._theme_merge(doc, after, run.title)))
            if self.show_seen:  # the overlay follows the document's new state
                self._queue.append((False, self._theme_look(doc, line)))
        self._queue.append((True, lambda: self._theme_done(run)))
        self._continue()
        return True

    def _theme_step(
        self, doc: Document, text: str, line: Layer, parse: Any, run: theme_mod.Progress
    ) -> Callable[[], bool]:
        return lambda: self.colorize(doc, text, line, parse, run)

    def _theme_merge(self, doc: Document, after: int, title: str) -> Callable[[], bool]:
        def merge() -> bool:
            if doc.is_open:
                record = doc.load_record()
                if record.merge_steps(after, title) is not None:
                    doc.save_record(record)
                self.ui.on_history_changed(doc)
            return False

        return merge

    def _theme_look(self, doc: Document, line: Layer) -> Callable[[], bool]:
        return lambda: self._look(doc, line, ("Looked at %s again." % doc.title, INFO))

    def _theme_done(self, run: theme_mod.Progress) -> bool:
        text, well = run.summary()
        self._finish(None, text, OK if well else INFO if not run.problems else ERROR)
        return False

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
        outcome = (report.summary(), OK)
        if self.show_seen:  # un-teaching changes what the backend sees
            self._queue.insert(0, (False, lambda: self._look(doc, None, outcome)))
        self._finish(None, *outcome)
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
